import { err, ok, type Result } from './result.ts';

/** IPv4 addresses as unsigned 32-bit numbers, for pool arithmetic. */
export function parseIpv4(s: string): Result<number, string> {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(s.trim());
  if (!m) return err(`"${s}" is not an IPv4 address`);
  let n = 0;
  for (let i = 1; i <= 4; i++) {
    const o = Number(m[i]);
    if (o > 255 || (m[i]!.length > 1 && m[i]!.startsWith('0')))
      return err(`"${s}" is not an IPv4 address`);
    n = n * 256 + o;
  }
  return ok(n >>> 0);
}

export const formatIpv4 = (n: number): string =>
  [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');

export interface Cidr {
  readonly network: number;
  readonly prefix: number;
  readonly mask: number;
  readonly text: string;
}

export function parseCidr(s: string): Result<Cidr, string> {
  const [ip, len, extra] = s.trim().split('/');
  if (
    ip === undefined ||
    len === undefined ||
    extra !== undefined ||
    !/^\d{1,2}$/.test(len)
  )
    return err(`"${s}" is not a subnet (expected e.g. 10.20.0.0/24)`);
  const prefix = Number(len);
  if (prefix > 32) return err(`"${s}": prefix length must be 0-32`);
  const a = parseIpv4(ip);
  if (!a.ok) return err(`"${s}" is not a subnet: ${a.error}`);
  const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
  if ((a.value & mask) >>> 0 !== a.value)
    return err(
      `"${s}" has host bits set (did you mean ${formatIpv4((a.value & mask) >>> 0)}/${prefix}?)`,
    );
  return ok({
    network: a.value,
    prefix,
    mask,
    text: `${formatIpv4(a.value)}/${prefix}`,
  });
}

export const inCidr = (c: Cidr, ip: number): boolean =>
  (ip & c.mask) >>> 0 === c.network;
export const cidrBroadcast = (c: Cidr): number =>
  (c.network | (~c.mask >>> 0)) >>> 0;
export const cidrsOverlap = (a: Cidr, b: Cidr): boolean =>
  inCidr(a, b.network) || inCidr(b, a.network);

/** A peer address as a dual-stack socket reports it (::ffff:10.0.0.5), as the plain IPv4 the leases know. */
export const plainAddress = (
  ip: string | undefined,
  fallback = 'unknown',
): string => (ip ?? fallback).replace(/^::ffff:/i, '');
