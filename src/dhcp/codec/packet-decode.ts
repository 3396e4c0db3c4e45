/**
 * DHCPv4 / BOOTP decoder (RFC 2131 §2, RFC 2132, RFC 3396 long options, option overload 52).
 *
 * decodePacket is total: it never throws and returns a typed error only for a bad header, cookie or option
 * framing. Option values are kept raw (decode them with the accessors in options.ts); a malformed value never
 * drops the packet. Values are views into the input bytes (no copy): treat them as read-only.
 */

import { err, ok, type Result } from '../../shared/result.ts';
import {
  type DhcpPacket,
  FILE_OFFSET,
  FILE_SIZE,
  HEADER_SIZE,
  MAGIC_COOKIE,
  OPT_END,
  OPT_OVERLOAD,
  OPT_PAD,
  OPTIONS_OFFSET,
  SNAME_OFFSET,
  SNAME_SIZE,
} from './packet.ts';

export type DecodeErrorCode =
  | 'DHCP_TOO_SHORT'
  | 'DHCP_BAD_COOKIE'
  | 'DHCP_BAD_OP'
  | 'DHCP_BAD_HLEN'
  | 'DHCP_OPTION_OVERRUN'
  | 'DHCP_NO_END';

export interface DecodeError {
  code: DecodeErrorCode;
  message: string;
  offset?: number;
}

const fail = (
  code: DecodeErrorCode,
  message: string,
  offset?: number,
): { ok: false; error: DecodeError } =>
  err(offset === undefined ? { code, message } : { code, message, offset });

const overrun = (
  buf: Uint8Array,
  at: number,
  where: string,
): { ok: false; error: DecodeError } =>
  fail(
    'DHCP_OPTION_OVERRUN',
    `option ${buf[at]} at offset ${at} runs past the end of ${where}`,
    at,
  );

/** buf[start, start+len) as a plain Uint8Array view (Buffer's subarray would construct a Buffer). */
const view = (buf: Uint8Array, start: number, len: number): Uint8Array =>
  new Uint8Array(buf.buffer, buf.byteOffset + start, len);
const be16 = (b: Uint8Array, at: number): number => (b[at]! << 8) | b[at + 1]!;
const be32 = (b: Uint8Array, at: number): number =>
  ((b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!) >>> 0;

/** Option overload (RFC 2131 §4.1): the file field (bit 1), then the sname field (bit 2), carry options. */
const OVERLOAD_FIELDS = [
  { bit: 1, offset: FILE_OFFSET, size: FILE_SIZE, name: 'the file field' },
  { bit: 2, offset: SNAME_OFFSET, size: SNAME_SIZE, name: 'the sname field' },
] as const;

/** latin1 text of buf[start, start+size) up to the first NUL. */
function fieldText(buf: Uint8Array, start: number, size: number): string {
  if (buf[start] === 0) return '';
  let end = start;
  const limit = start + size;
  while (end < limit && buf[end] !== 0) end++;
  return String.fromCharCode.apply(
    null,
    buf.subarray(start, end) as unknown as number[],
  );
}

function addOption(
  options: Map<number, Uint8Array>,
  code: number,
  value: Uint8Array,
): void {
  const prev = options.get(code);
  if (prev === undefined) {
    options.set(code, value);
    return;
  }
  const joined = new Uint8Array(prev.length + value.length);
  joined.set(prev, 0);
  joined.set(value, prev.length);
  options.set(code, joined);
}

/**
 * Walks TLV options in buf[start, end). Returns -1 when an end option was seen, -2 when the region ended
 * without one, or the offset of an option whose length runs past `end`.
 */
function walkOptions(
  buf: Uint8Array,
  start: number,
  end: number,
  options: Map<number, Uint8Array>,
  allowOverload: boolean,
): number {
  let i = start;
  while (i < end) {
    const code = buf[i]!;
    if (code === OPT_PAD) {
      i++;
      continue;
    }
    if (code === OPT_END) return -1;
    if (i + 1 >= end) return i;
    const len = buf[i + 1]!;
    const v = i + 2;
    if (v + len > end) return i;
    if (code !== OPT_OVERLOAD || allowOverload)
      addOption(options, code, view(buf, v, len));
    i = v + len;
  }
  return -2;
}

export function decodePacket(buf: Uint8Array): Result<DhcpPacket, DecodeError> {
  if (buf.length < OPTIONS_OFFSET)
    return fail(
      'DHCP_TOO_SHORT',
      `packet is ${buf.length} bytes, at least ${OPTIONS_OFFSET} needed`,
    );
  const op = buf[0]!;
  if (op !== 1 && op !== 2)
    return fail(
      'DHCP_BAD_OP',
      `op ${op} is neither 1 (request) nor 2 (reply)`,
      0,
    );
  const hlen = buf[2]!;
  if (hlen > 16)
    return fail(
      'DHCP_BAD_HLEN',
      `hlen ${hlen} exceeds the 16-byte chaddr field`,
      2,
    );
  if (be32(buf, HEADER_SIZE) !== MAGIC_COOKIE)
    return fail(
      'DHCP_BAD_COOKIE',
      'magic cookie is not 99.130.83.99',
      HEADER_SIZE,
    );

  const options = new Map<number, Uint8Array>();
  const r = walkOptions(buf, OPTIONS_OFFSET, buf.length, options, true);
  if (r >= 0) return overrun(buf, r, 'the packet');
  if (r === -2)
    return fail(
      'DHCP_NO_END',
      'options are not terminated by the end option (255)',
      buf.length,
    );

  let overloaded = 0;
  const overload = options.get(OPT_OVERLOAD);
  if (
    overload !== undefined &&
    overload.length === 1 &&
    overload[0]! >= 1 &&
    overload[0]! <= 3
  ) {
    options.delete(OPT_OVERLOAD);
    overloaded = overload[0]!;
    for (const f of OVERLOAD_FIELDS) {
      if ((overloaded & f.bit) === 0) continue;
      const at = walkOptions(buf, f.offset, f.offset + f.size, options, false);
      if (at >= 0) return overrun(buf, at, f.name);
    }
  }

  return ok({
    op,
    htype: buf[1]!,
    hlen,
    hops: buf[3]!,
    xid: be32(buf, 4),
    secs: be16(buf, 8),
    flags: be16(buf, 10),
    ciaddr: be32(buf, 12),
    yiaddr: be32(buf, 16),
    siaddr: be32(buf, 20),
    giaddr: be32(buf, 24),
    chaddr: view(buf, 28, 16),
    sname: overloaded & 2 ? '' : fieldText(buf, SNAME_OFFSET, SNAME_SIZE),
    file: overloaded & 1 ? '' : fieldText(buf, FILE_OFFSET, FILE_SIZE),
    options,
  });
}
