/**
 * Typed access to DHCP options: readers for the options the appliance looks at, and the boot server writer.
 *
 * Accessors read the raw Map of a decoded packet and return undefined when the option is absent OR its value
 * is malformed (wrong length, empty text …); they never throw. A malformed option never drops a packet.
 */
import type { Result } from '../../shared/result.ts';
import type { DhcpPacket } from './packet.ts';
import { ipNumber, string, u16, u32, type ValueCodec } from './values.ts';

const raw = (p: DhcpPacket, code: number): Uint8Array | undefined =>
  p.options.get(code);

/** The accessor of an option read with one value codec (undefined when absent or malformed). */
const read =
  <T>(code: number, codec: ValueCodec<T>) =>
  (p: DhcpPacket): T | undefined => {
    const v = raw(p, code);
    return v === undefined ? undefined : codec.decode(v);
  };

/** Option 53, 1-255 (DISCOVER … INFORM are 1-8). */
export function messageType(p: DhcpPacket): number | undefined {
  const v = raw(p, 53);
  return v !== undefined && v.length === 1 && v[0]! > 0 ? v[0] : undefined;
}

/** Option 50 as an unsigned 32-bit number. */
export const requestedIp = read(50, ipNumber);

/** Option 54 as an unsigned 32-bit number. */
export const serverId = read(54, ipNumber);

/** Option 55: the codes the client asks for, in its order (a fingerprint as well). */
export const parameterRequestList = (p: DhcpPacket): number[] | undefined => {
  const v = raw(p, 55);
  if (v === undefined || v.length === 0) return undefined;
  const codes = new Array<number>(v.length);
  for (let i = 0; i < v.length; i++) codes[i] = v[i]!;
  return codes;
};

/** Option 60 bytes, non-empty (decode them with vendor-class.ts). */
export const vendorClassRaw = (p: DhcpPacket): Uint8Array | undefined => {
  const v = raw(p, 60);
  return v === undefined || v.length === 0 ? undefined : v;
};

/** Option 61 bytes (type + id); RFC 2132 §9.14 requires at least 2 bytes. */
export const clientId = (p: DhcpPacket): Uint8Array | undefined => {
  const v = raw(p, 61);
  return v === undefined || v.length < 2 ? undefined : v;
};

/** Option 12 text (trailing NULs dropped). */
export const hostName = read(12, string);

/** Option 51 seconds. */
export const leaseTime = read(51, u32);

/** Option 57; values under 576 are illegal (RFC 2132 §9.10) and read as absent. */
const rawMaxMessageSize = read(57, u16);
export const maxMessageSize = (p: DhcpPacket): number | undefined => {
  const n = rawMaxMessageSize(p);
  return n !== undefined && n >= 576 ? n : undefined;
};

/** A text option (66, 160, 128 …) as a string. */
export const textOption = (p: DhcpPacket, code: number): string | undefined =>
  read(code, string)(p);

/**
 * Boot server value for options 66 / 160 (and a custom string option): plain text, any URL form the phone
 * accepts (ftp://user:pass@host/path, http://host/path, a bare address). Over 255 bytes is split on the wire.
 */
export const bootServer = (url: string): Result<Uint8Array, string> =>
  string.encode(url);
