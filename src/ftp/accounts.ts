/**
 * FTP accounts: the factory PlcmSpIp/PlcmSpIp (every site, and the root) and the per-site accounts of
 * appliance.yaml, each confined to its site. Read from the current model at each login (hot reload).
 */
import { timingSafeEqual, createHash } from 'node:crypto';
import type { ApplianceModel } from '../config/model.ts';

export const FACTORY_USER = 'PlcmSpIp';
export const FACTORY_PASSWORD = 'PlcmSpIp';

export interface FtpAccount {
  readonly user: string;
  /** undefined = the factory account, which sees the whole tree. */
  readonly site: string | undefined;
}

/** Constant-time comparison (hashes first, so lengths leak nothing either). */
function same(a: string, b: string): boolean {
  const ha = createHash('sha256').update(a).digest();
  const hb = createHash('sha256').update(b).digest();
  return timingSafeEqual(ha, hb);
}

/** The account a user/password pair logs into, or undefined. Site accounts win over the factory one. */
export function authenticate(model: ApplianceModel, user: string, password: string): FtpAccount | undefined {
  for (const site of model.sites.values()) {
    for (const a of site.accounts) {
      if (a.user === user) return same(a.password, password) ? { user, site: site.name } : undefined;
    }
  }
  if (user === FACTORY_USER && same(password, FACTORY_PASSWORD)) return { user, site: undefined };
  return undefined;
}

/**
 * May this account touch this normalised tree path? The factory account: everything. A site account: its
 * site's paths, plus the root directory itself (so "CWD /" and listing the root work; the listing is
 * filtered). `siteOf` is the tree's.
 */
export function mayAccess(account: FtpAccount, treePath: string, siteOf: (path: string) => string | undefined): boolean {
  if (account.site === undefined) return true;
  if (treePath === '') return true;
  return siteOf(treePath) === account.site;
}
