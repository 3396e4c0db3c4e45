/**
 * The boot-server value a phone gets from DHCP (66, 160, custom), INFORM, flash or static setting, turned into
 * a location: protocol, host, port, credentials, base folder, and optionally a master file named directly.
 * Accepted forms (facts §4): 10.1.1.1, prov.example.com, ftp://user:pass@host/dir, http://host/path,
 * https://user:pass@host/dir, tftp://host/dir, and any of these ending in a *.cfg file name.
 * A bare address takes the phone's server type (FTP from the factory) and default credentials.
 */
import { err, ok, type Result } from '../../src/shared/result.ts';
import { type SimError, simError } from './errors.ts';

export type TransferProtocol = 'tftp' | 'ftp' | 'http' | 'https';

export interface BootLocation {
  readonly protocol: TransferProtocol;
  readonly host: string;
  readonly port: number;
  readonly user: string | undefined;
  readonly password: string | undefined;
  /** Folder on the server, no leading or trailing slash ("" = root). */
  readonly base: string;
  /** A master configuration file named directly in the address (path relative to base), if any. */
  readonly masterFile: string | undefined;
}

export const DEFAULT_PORTS: Readonly<Record<TransferProtocol, number>> = {
  tftp: 69,
  ftp: 21,
  http: 80,
  https: 443,
};

export interface ServerDefaults {
  readonly serverType: TransferProtocol;
  readonly user: string;
  readonly password: string;
}

/** Factory settings: FTP with PlcmSpIp / PlcmSpIp (facts §7). */
export const FACTORY_DEFAULTS: ServerDefaults = {
  serverType: 'ftp',
  user: 'PlcmSpIp',
  password: 'PlcmSpIp',
};

export function parseBootServer(
  raw: string,
  defaults: ServerDefaults = FACTORY_DEFAULTS,
): Result<BootLocation, SimError> {
  const s = raw.replace(/\0+$/, '').trim();
  const bad = (why: string): { ok: false; error: SimError } =>
    err(simError('SIM_BAD_BOOT_SERVER', `"${raw}": ${why}`));
  if (s === '' || s === '0.0.0.0') return bad('empty');
  if (/\s|\\/.test(s)) return bad('spaces and back slashes are not allowed');
  const m = /^([a-zA-Z]+):\/\/(.*)$/.exec(s);
  let protocol: TransferProtocol;
  let rest: string;
  if (m) {
    const p = m[1]!.toLowerCase();
    if (p !== 'tftp' && p !== 'ftp' && p !== 'http' && p !== 'https')
      return bad(`protocol ${p} is not supported`);
    protocol = p;
    rest = m[2]!;
  } else {
    protocol = defaults.serverType;
    rest = s;
  }
  const slash = rest.indexOf('/');
  const authority = slash < 0 ? rest : rest.slice(0, slash);
  let path = slash < 0 ? '' : rest.slice(slash + 1);
  let user: string | undefined;
  let password: string | undefined;
  let hostPort = authority;
  const at = authority.lastIndexOf('@');
  if (at >= 0) {
    const cred = authority.slice(0, at);
    hostPort = authority.slice(at + 1);
    const colon = cred.indexOf(':');
    user = decodeURIComponent(colon < 0 ? cred : cred.slice(0, colon));
    password = colon < 0 ? '' : decodeURIComponent(cred.slice(colon + 1));
  }
  const hp = /^(\[[^\]]+\]|[^:]+)(?::(\d{1,5}))?$/.exec(hostPort);
  if (!hp) return bad('no host');
  const host = hp[1]!;
  const port = hp[2] !== undefined ? Number(hp[2]) : DEFAULT_PORTS[protocol];
  if (port < 1 || port > 65535) return bad('port out of range');
  if (protocol === 'ftp' && user === undefined) {
    user = defaults.user;
    password = defaults.password;
  }
  path = path.replace(/^\/+|\/+$/g, '');
  let masterFile: string | undefined;
  const last = path.slice(path.lastIndexOf('/') + 1);
  // "The filename must end with .cfg and be at least five characters long" [AG31-A].
  if (last.toLowerCase().endsWith('.cfg') && last.length >= 5) {
    masterFile = last;
    path = path.slice(0, Math.max(0, path.lastIndexOf('/')));
  }
  return ok({ protocol, host, port, user, password, base: path, masterFile });
}

/** A location as a URL (credentials hidden), for reports. */
export function formatLocation(l: BootLocation): string {
  const cred = l.user !== undefined ? `${l.user}:***@` : '';
  const port = l.port === DEFAULT_PORTS[l.protocol] ? '' : `:${l.port}`;
  return `${l.protocol}://${cred}${l.host}${port}/${l.base}`;
}
