/**
 * The user/password pairs a site accepts over a protocol: its accounts, plus the credentials its boot-server
 * URL hands the phones when that URL uses one of the given protocols. FTP and HTTP both ask here.
 */
import type { Protocol, Site } from './model.ts';

export function siteCredentials(
  site: Site,
  protocols: readonly Protocol[],
): { user: string; password: string }[] {
  const bs = site.bootServer;
  const boot =
    bs !== undefined && protocols.includes(bs.protocol) && bs.user !== undefined
      ? [{ user: bs.user, password: bs.password ?? '' }]
      : [];
  return [...site.accounts, ...boot];
}
