/**
 * FTP accounts: the factory PlcmSpIp/PlcmSpIp, the per-site accounts of appliance.yaml and the credentials
 * each site's boot-server URL gives its phones (whatever its protocol: a site's credentials are the same over
 * FTP and HTTP, src/http/auth.ts), each confined to the sites that accept it. Read from the current model at
 * each login (hot reload).
 */

import { siteCredentials } from '../config/credentials.ts';
import type { ApplianceModel, Protocol } from '../config/model.ts';
import { sameSecret as same } from '../shared/secrets.ts';

export const FACTORY_USER = 'PlcmSpIp';
export const FACTORY_PASSWORD = 'PlcmSpIp';

export interface FtpAccount {
  readonly user: string;
  /** The sites this login may see; undefined = the whole tree (the factory account in a plain lab). */
  readonly sites: readonly string[] | undefined;
  /** The one site an upload is confined to, when the login covers exactly one. */
  readonly site: string | undefined;
}

const ANY_PROTOCOL: readonly Protocol[] = ['ftp', 'http', 'https'];

/**
 * The account a user/password pair logs into, or undefined. A pair is confined to the sites that accept it
 * (their accounts or their boot-server credentials: several sites may share PlcmSpIp). The factory pair
 * sees the whole tree only while every site with credentials accepts it (the plain lab): a site with
 * credentials of its own (an account, or its boot-server URL's) is not opened by the public factory pair.
 */
export function authenticate(
  model: ApplianceModel,
  user: string,
  password: string,
): FtpAccount | undefined {
  const sites: string[] = [];
  let factoryEverywhere = true;
  for (const site of model.sites.values()) {
    const creds = siteCredentials(site, ANY_PROTOCOL);
    const factory = creds.some(
      (c) => c.user === FACTORY_USER && c.password === FACTORY_PASSWORD,
    );
    if (creds.length > 0 && !factory) factoryEverywhere = false;
    if (creds.some((c) => c.user === user && same(c.password, password)))
      sites.push(site.name);
  }
  if (
    user === FACTORY_USER &&
    same(password, FACTORY_PASSWORD) &&
    factoryEverywhere
  )
    return { user, sites: undefined, site: undefined };
  if (sites.length > 0)
    return { user, sites, site: sites.length === 1 ? sites[0] : undefined };
  return undefined;
}

/**
 * May this account touch this normalised tree path? The factory account: everything. A site account: its
 * site's paths, plus the root directory itself (so "CWD /" and listing the root work; the listing is
 * filtered). `siteOf` is the tree's.
 */
export function mayAccess(
  account: FtpAccount,
  treePath: string,
  siteOf: (path: string) => string | undefined,
): boolean {
  if (account.sites === undefined) return true;
  if (treePath === '') return true;
  const site = siteOf(treePath);
  return site !== undefined && account.sites.includes(site);
}
