/**
 * Optional HTTP basic auth per site (RFC 7617).
 *
 * Rule: a request for a path inside a site's folder needs one of that site's accounts (or the credentials
 * its http(s) boot-server URL gives the phones) when it has any; a site without any, and the root of the
 * tree, are open (the appliance has no global HTTP account setting; phones that boot from the root folder
 * send no credentials). Credentials of another
 * site's account are refused. An authenticated writer is confined to its site for uploads.
 */

import { siteCredentials } from '../config/credentials.ts';
import type { ApplianceModel, Site } from '../config/model.ts';
import { parseBasic, sameSecret } from '../shared/secrets.ts';

export { parseBasic };

export type AuthDecision =
  | {
      readonly ok: true;
      readonly confinedToSite: string | undefined;
      readonly user: string | undefined;
    }
  | {
      readonly ok: false;
      readonly realm: string;
      readonly reason: 'missing' | 'invalid';
    };

/** The site whose folder is `folder` (the tree's siteOf answer): matched on the site name or its folder. */
export function siteForFolder(
  model: ApplianceModel,
  folder: string | undefined,
): Site | undefined {
  if (folder === undefined || folder === '') return undefined;
  const byName = model.sites.get(folder);
  if (byName) return byName;
  for (const s of model.sites.values())
    if (s.bootServer.path === folder) return s;
  return undefined;
}

export function authorize(
  site: Site | undefined,
  authorization: string | undefined,
): AuthDecision {
  const accounts = site ? siteCredentials(site, ['http', 'https']) : [];
  if (site === undefined || accounts.length === 0)
    return { ok: true, confinedToSite: undefined, user: undefined };
  const creds = parseBasic(authorization);
  if (!creds) return { ok: false, realm: site.name, reason: 'missing' };
  let match = false;
  for (const a of accounts) {
    // evaluate every account so timing does not reveal which user names exist
    if (
      sameSecret(a.user, creds.user) &&
      sameSecret(a.password, creds.password)
    )
      match = true;
  }
  if (!match) return { ok: false, realm: site.name, reason: 'invalid' };
  return { ok: true, confinedToSite: site.name, user: creds.user };
}

/** The WWW-Authenticate challenge for a realm. */
export const challenge = (realm: string): string =>
  `Basic realm="${realm.replace(/["\\]/g, '')}", charset="UTF-8"`;
