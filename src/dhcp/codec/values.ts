/**
 * Option value codecs, one per value shape (RFC 2132 §2 data types). decode returns undefined on a malformed
 * value (wrong length, bad text) and never throws; encode returns a Result with a readable message.
 * format renders raw bytes for logs using the shape (falls back to hex).
 */

import { formatIpv4, parseIpv4 } from '../../shared/ipv4.ts';
import { err, ok, type Result } from '../../shared/result.ts';

export interface ValueCodec<T> {
  encode(v: T): Result<Uint8Array, string>;
  decode(b: Uint8Array): T | undefined;
}

function ipv4Bytes(n: number, out: Uint8Array, at: number): void {
  out[at] = n >>> 24;
  out[at + 1] = (n >>> 16) & 255;
  out[at + 2] = (n >>> 8) & 255;
  out[at + 3] = n & 255;
}

const be32 = (b: Uint8Array, at: number): number =>
  ((b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!) >>> 0;

/** One IPv4 address: dotted string (numbers accepted by ipNumber). */
export const ip: ValueCodec<string> = {
  encode(v) {
    const a = parseIpv4(v);
    if (!a.ok) return a;
    const out = new Uint8Array(4);
    ipv4Bytes(a.value, out, 0);
    return ok(out);
  },
  decode: (b) => (b.length === 4 ? formatIpv4(be32(b, 0)) : undefined),
};

/** One IPv4 address as an unsigned 32-bit number. */
export const ipNumber: ValueCodec<number> = {
  encode(v) {
    if (!Number.isInteger(v) || v < 0 || v > 0xffffffff)
      return err(`${v} is not an IPv4 address number`);
    const out = new Uint8Array(4);
    ipv4Bytes(v, out, 0);
    return ok(out);
  },
  decode: (b) => (b.length === 4 ? be32(b, 0) : undefined),
};

/** A non-empty list of IPv4 addresses (routers, DNS, NTP …). */
export const ips: ValueCodec<readonly string[]> = {
  encode(v) {
    if (v.length === 0)
      return err('an address list needs at least one address');
    if (v.length > 63)
      return err(`${v.length} addresses do not fit one option (at most 63)`);
    const out = new Uint8Array(4 * v.length);
    for (let i = 0; i < v.length; i++) {
      const a = parseIpv4(v[i]!);
      if (!a.ok) return a;
      ipv4Bytes(a.value, out, 4 * i);
    }
    return ok(out);
  },
  decode(b) {
    if (b.length === 0 || b.length % 4 !== 0) return undefined;
    const list: string[] = [];
    for (let i = 0; i < b.length; i += 4) list.push(formatIpv4(be32(b, i)));
    return list;
  },
};

function unsigned(bytes: 1 | 2 | 4): ValueCodec<number> {
  const max = bytes === 4 ? 0xffffffff : (1 << (8 * bytes)) - 1;
  return {
    encode(v) {
      if (!Number.isInteger(v) || v < 0 || v > max)
        return err(`${v} is not an integer in 0-${max}`);
      const out = new Uint8Array(bytes);
      for (let i = 0; i < bytes; i++)
        out[i] = Math.floor(v / 2 ** (8 * (bytes - 1 - i))) & 255;
      return ok(out);
    },
    decode(b) {
      if (b.length !== bytes) return undefined;
      let n = 0;
      for (let i = 0; i < bytes; i++) n = n * 256 + b[i]!;
      return n;
    },
  };
}

export const u8 = unsigned(1);
export const u16 = unsigned(2);
export const u32 = unsigned(4);

/** Signed 32-bit, two's complement (option 2 time offset: -21600 → ff ff ab a0). */
export const i32: ValueCodec<number> = {
  encode(v) {
    if (!Number.isInteger(v) || v < -0x80000000 || v > 0x7fffffff)
      return err(`${v} is not a signed 32-bit integer`);
    const out = new Uint8Array(4);
    ipv4Bytes(v >>> 0, out, 0);
    return ok(out);
  },
  decode: (b) => (b.length === 4 ? be32(b, 0) | 0 : undefined),
};

/**
 * NVT ASCII text (RFC 2132 §2): encoded as latin1 bytes, no NUL terminator; decode drops trailing NULs that
 * some clients append and rejects empty values. Strings longer than 255 bytes are split on the wire (RFC 3396).
 */
export const string: ValueCodec<string> = {
  encode(v) {
    if (v.length === 0) return err('a text option cannot be empty');
    const out = new Uint8Array(v.length);
    for (let i = 0; i < v.length; i++) {
      const c = v.charCodeAt(i);
      if (c > 255 || c === 0)
        return err(
          `text contains a character that is not latin1 or is NUL at ${i}`,
        );
      out[i] = c;
    }
    return ok(out);
  },
  decode(b) {
    let end = b.length;
    while (end > 0 && b[end - 1] === 0) end--;
    if (end === 0) return undefined;
    let s = '';
    for (let i = 0; i < end; i++) s += String.fromCharCode(b[i]!);
    return s;
  },
};

/** Boolean flag (RFC 2132 §2: one octet, 0 or 1). */
export const bool: ValueCodec<boolean> = {
  encode: (v) => ok(Uint8Array.of(v ? 1 : 0)),
  decode: (b) => (b.length === 1 && b[0]! <= 1 ? b[0] === 1 : undefined),
};

/** Raw bytes as hex text: "00 04 f2", "00:04:f2", "0004f2" in; "0004f2" out. */
export const hex: ValueCodec<string> = {
  encode(v) {
    const s = v.replace(/^0x/i, '').replace(/[\s:.-]/g, '');
    if (s.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(s))
      return err(`"${v}" is not an even number of hex digits`);
    const out = new Uint8Array(s.length / 2);
    for (let i = 0; i < out.length; i++)
      out[i] = parseInt(s.slice(2 * i, 2 * i + 2), 16);
    return ok(out);
  },
  decode: (b) => toHex(b),
};

/** A list of option codes (option 55 parameter request list). */
export const u8list: ValueCodec<readonly number[]> = {
  encode(v) {
    const out = new Uint8Array(v.length);
    for (let i = 0; i < v.length; i++) {
      const n = v[i]!;
      if (!Number.isInteger(n) || n < 0 || n > 255)
        return err(`${n} is not an integer in 0-255`);
      out[i] = n;
    }
    return ok(out);
  },
  decode: (b) => (b.length === 0 ? undefined : Array.from(b)),
};

export function toHex(b: Uint8Array, sep = ''): string {
  let s = '';
  for (let i = 0; i < b.length; i++)
    s += (i > 0 ? sep : '') + (b[i]! < 16 ? '0' : '') + b[i]!.toString(16);
  return s;
}
