import { err, ok, type Result } from './result.ts';

/** A MAC address normalised to 12 lower-case hex digits, as Polycom file names use it (0004f28062d6). */
export type Mac = string & { readonly __mac: unique symbol };

const HEX12 = /^[0-9a-f]{12}$/;

/**
 * Accepts the common spellings: 00:04:f2:80:62:d6, 00-04-F2-80-62-D6, 0004.f280.62d6, 0004f28062d6.
 * Returns the normalised form or a message saying what is wrong.
 */
export function parseMac(input: string): Result<Mac, string> {
  const s = input.trim().toLowerCase();
  const parts = s.split(/[:\-.]/);
  let hex: string;
  if (parts.length === 6 && parts.every((p) => /^[0-9a-f]{1,2}$/.test(p)))
    hex = parts.map((p) => p.padStart(2, '0')).join('');
  else if (parts.length === 3 && parts.every((p) => /^[0-9a-f]{4}$/.test(p)))
    hex = parts.join('');
  else if (parts.length === 1) hex = s;
  else
    return err(
      `"${input}" is not a MAC address (expected e.g. 00:04:f2:80:62:d6)`,
    );
  if (!HEX12.test(hex))
    return err(`"${input}" is not a MAC address (expected 12 hex digits)`);
  if (hex === '000000000000')
    return err('000000000000 is reserved for the master configuration file');
  return ok(hex as Mac);
}

export const isMacHex = (s: string): s is Mac => HEX12.test(s);

/** 00:04:f2:80:62:d6 form, for logs and DHCP. */
export const macColons = (m: Mac | string): string =>
  m.replace(/(..)(?!$)/g, '$1:');

export function macFromBytes(b: Uint8Array): Mac {
  let s = '';
  for (let i = 0; i < 6; i++) s += (b[i] ?? 0).toString(16).padStart(2, '0');
  return s as Mac;
}

/**
 * The MAC a Polycom file name carries (hq/0004f28062d6-phone.cfg, 0004F28062D6.cfg), for transfer events when
 * no lease names the peer; never the master 000000000000.
 */
export function macFromFileName(path: string): Mac | undefined {
  const m = /^([0-9a-f]{12})(?=[-.]|$)/.exec(
    path.slice(path.lastIndexOf('/') + 1).toLowerCase(),
  );
  return m && m[1] !== '000000000000' ? (m[1] as Mac) : undefined;
}
