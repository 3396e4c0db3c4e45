/**
 * HTTP basic auth per site (RFC 7617).
 *
 * Rule: a site's credentials are the same over HTTP as over FTP: its accounts and the user/password its
 * boot-server URL gives the phones, whichever protocol that URL names (Polycom phones send the same Server
 * User/Password over every protocol). A request for a path inside a site's folder needs one of them, unless
 * the only one is the factory PlcmSpIp pair (FTP's stand-in for an anonymous login, public knowledge: over
 * HTTP it would protect nothing and only shut out phones set to HTTP without credentials). The root of the
 * tree is open (phones that boot from the root folder send no credentials). Credentials of another site's
 * account are refused. An authenticated writer is confined to its site for uploads.
 */

import { siteCredentials } from '../config/credentials.ts';
import type { ApplianceModel, Protocol, Site } from '../config/model.ts';
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

/** Every protocol whose boot-server URL carries credentials. */
const ANY_PROTOCOL: readonly Protocol[] = ['ftp', 'http', 'https'];
const isFactory = (c: { user: string; password: string }): boolean =>
  c.user === 'PlcmSpIp' && c.password === 'PlcmSpIp';

export function authorize(
  site: Site | undefined,
  authorization: string | undefined,
): AuthDecision {
  const accounts = site ? siteCredentials(site, ANY_PROTOCOL) : [];
  if (site === undefined || accounts.every(isFactory))
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
