/**
 * NTP packets (RFC 5905 §7.3; SNTP RFC 4330): the 48-byte header, decoded totally (a typed error, never a
 * throw) and encoded deterministically. Timestamps are the raw 64-bit NTP format (seconds since 1900 in the
 * high 32 bits, binary fraction in the low 32) as bigint, so origin timestamps are echoed bit for bit.
 * Anything after byte 48 (extension fields, a MAC) is ignored: the server answers unauthenticated.
 */
import { err, ok, type Result } from '../../shared/result.ts';

export const NTP_HEADER_BYTES = 48;
export const MODE_CLIENT = 3;
export const MODE_SERVER = 4;
/** Seconds from the NTP era 0 epoch (1900-01-01) to the Unix epoch. */
export const NTP_UNIX_OFFSET = 2208988800n;

export interface NtpPacket {
  readonly leap: number;
  readonly version: number;
  readonly mode: number;
  readonly stratum: number;
  readonly poll: number;
  readonly precision: number;
  /** 16.16 fixed point seconds, raw. */
  readonly rootDelay: number;
  readonly rootDispersion: number;
  readonly referenceId: number;
  readonly referenceTime: bigint;
  readonly originTime: bigint;
  readonly receiveTime: bigint;
  readonly transmitTime: bigint;
}

export type NtpDecodeError = 'NTP_RUNT' | 'NTP_BAD_VERSION' | 'NTP_BAD_MODE';

/** A client request: at least 48 bytes, version 1-4, mode 3 (client). Everything else is an error code. */
export function decodeRequest(
  buf: Uint8Array,
): Result<NtpPacket, NtpDecodeError> {
  const p = decodePacket(buf);
  if (!p.ok) return p;
  if (p.value.mode !== MODE_CLIENT) return err('NTP_BAD_MODE');
  return p;
}

/** Any NTP header (client, server, symmetric …); errors only for runts and versions outside 1-4. */
export function decodePacket(
  buf: Uint8Array,
): Result<NtpPacket, 'NTP_RUNT' | 'NTP_BAD_VERSION'> {
  if (buf.length < NTP_HEADER_BYTES) return err('NTP_RUNT');
  const v = new DataView(buf.buffer, buf.byteOffset, NTP_HEADER_BYTES);
  const b0 = v.getUint8(0);
  const version = (b0 >> 3) & 7;
  if (version < 1 || version > 4) return err('NTP_BAD_VERSION');
  return ok({
    leap: b0 >> 6,
    version,
    mode: b0 & 7,
    stratum: v.getUint8(1),
    poll: v.getInt8(2),
    precision: v.getInt8(3),
    rootDelay: v.getUint32(4),
    rootDispersion: v.getUint32(8),
    referenceId: v.getUint32(12),
    referenceTime: v.getBigUint64(16),
    originTime: v.getBigUint64(24),
    receiveTime: v.getBigUint64(32),
    transmitTime: v.getBigUint64(40),
  });
}

/** The 48-byte header; fields are masked to their widths, so encode never throws. */
export function encodePacket(p: NtpPacket): Buffer {
  const out = Buffer.alloc(NTP_HEADER_BYTES);
  const v = new DataView(out.buffer, out.byteOffset, NTP_HEADER_BYTES);
  v.setUint8(0, ((p.leap & 3) << 6) | ((p.version & 7) << 3) | (p.mode & 7));
  v.setUint8(1, p.stratum & 0xff);
  v.setInt8(2, clampInt8(p.poll));
  v.setInt8(3, clampInt8(p.precision));
  v.setUint32(4, p.rootDelay >>> 0);
  v.setUint32(8, p.rootDispersion >>> 0);
  v.setUint32(12, p.referenceId >>> 0);
  v.setBigUint64(16, BigInt.asUintN(64, p.referenceTime));
  v.setBigUint64(24, BigInt.asUintN(64, p.originTime));
  v.setBigUint64(32, BigInt.asUintN(64, p.receiveTime));
  v.setBigUint64(40, BigInt.asUintN(64, p.transmitTime));
  return out;
}

const clampInt8 = (n: number): number =>
  Number.isFinite(n) ? Math.max(-128, Math.min(127, Math.trunc(n))) : 0;

/** Unix nanoseconds → NTP 64-bit timestamp (era 0; wraps in 2036 as the format does). */
export function ntpFromUnixNs(ns: bigint): bigint {
  const sec = ns / 1_000_000_000n;
  const rem = ns % 1_000_000_000n;
  const frac = (rem << 32n) / 1_000_000_000n;
  return BigInt.asUintN(64, ((sec + NTP_UNIX_OFFSET) << 32n) | frac);
}

/** NTP 64-bit timestamp → Unix nanoseconds (era 0). */
export function unixNsFromNtp(ts: bigint): bigint {
  const sec = (ts >> 32n) - NTP_UNIX_OFFSET;
  const frac = ts & 0xffffffffn;
  return sec * 1_000_000_000n + ((frac * 1_000_000_000n) >> 32n);
}

/** Seconds → 16.16 fixed point (root delay / dispersion), saturating. */
export function shortFromSeconds(s: number): number {
  if (!(s > 0)) return 0;
  return Math.min(0xffffffff, Math.round(s * 65536)) >>> 0;
}

/** A four-letter reference id ("LOCL") as the 32-bit field. */
export function refIdAscii(code: string): number {
  let n = 0;
  for (let i = 0; i < 4; i++)
    n = (n << 8) | (code.charCodeAt(i) & 0x7f || 0x20);
  return n >>> 0;
}

export interface ServerClock {
  readonly leap: number;
  readonly stratum: number;
  readonly precision: number;
  readonly rootDelay: number;
  readonly rootDispersion: number;
  readonly referenceId: number;
  readonly referenceTime: bigint;
}

/**
 * The server-mode reply (RFC 5905 §8 / RFC 4330 §5): version echoed, mode 4, poll echoed, origin = the
 * request's transmit timestamp, receive and transmit from the host clock.
 */
export function serverReply(
  req: NtpPacket,
  clock: ServerClock,
  receiveTime: bigint,
  transmitTime: bigint,
): Buffer {
  return encodePacket({
    leap: clock.leap,
    version: req.version,
    mode: MODE_SERVER,
    stratum: clock.stratum,
    poll: req.poll,
    precision: clock.precision,
    rootDelay: clock.rootDelay,
    rootDispersion: clock.rootDispersion,
    referenceId: clock.referenceId,
    referenceTime: clock.referenceTime,
    originTime: req.transmitTime,
    receiveTime,
    transmitTime,
  });
}
