/** A site as the config builds it for the login rules: its accounts and boot server (`{ protocol: ftp }` gets the factory pair). */
export interface SiteCredentials {
  readonly name: string;
  readonly accounts: { user: string; password: string }[];
  readonly bootServer: { protocol: string; user?: string; password?: string };
}

export const siteWith = (
  name: string,
  accounts: { user: string; password: string }[],
  bootServer: SiteCredentials['bootServer'] = {
    protocol: 'ftp',
    user: 'PlcmSpIp',
    password: 'PlcmSpIp',
  },
): SiteCredentials => ({ name, accounts, bootServer });
