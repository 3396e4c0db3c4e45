/**
 * DHCPv4 / BOOTP packet codec (RFC 2131 §2, RFC 2132, RFC 3396 long options, option overload 52).
 *
 * decodePacket is total: it never throws and returns a typed error only for a bad header, cookie or option
 * framing. Option values are kept raw (decode them with the accessors in options.ts); a malformed value never
 * drops the packet. Values are views into the input bytes (no copy): treat them as read-only.
 *
 * encodePacket is deterministic: option 53 first, then the Map's order, option 82 last, then 255 (end);
 * values over 255 bytes become consecutive instances (RFC 3396); zero padding up to minSize (default 300).
 */

import { type Mac, macFromBytes } from '../../shared/mac.ts';
import { err, ok, type Result } from '../../shared/result.ts';

export interface DhcpPacket {
  op: 1 | 2;
  htype: number;
  hlen: number;
  hops: number;
  xid: number;
  secs: number;
  flags: number;
  /** IPv4 addresses as unsigned 32-bit numbers. */
  ciaddr: number;
  yiaddr: number;
  siaddr: number;
  giaddr: number;
  /** 16 bytes as on the wire. */
  chaddr: Uint8Array;
  /** NUL-trimmed latin1 text; '' when the field carries options (overload). */
  sname: string;
  file: string;
  /** Raw values; repeated options concatenated (RFC 3396); insertion order kept. Never holds 0, 52 (consumed) or 255. */
  options: Map<number, Uint8Array>;
}

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

export const MessageType = {
  DISCOVER: 1,
  OFFER: 2,
  REQUEST: 3,
  DECLINE: 4,
  ACK: 5,
  NAK: 6,
  RELEASE: 7,
  INFORM: 8,
} as const;

const MESSAGE_TYPE_NAMES = Object.keys(MessageType);

/** A known message type's name (DISCOVER … INFORM), or undefined. */
export const messageTypeNameOf = (t: number): string | undefined =>
  t >= 1 && t <= 8 ? MESSAGE_TYPE_NAMES[t - 1] : undefined;

/** Fixed header (236 bytes) + magic cookie. */
export const HEADER_SIZE = 236;
export const OPTIONS_OFFSET = 240;
export const MAGIC_COOKIE = 0x63825363;
const SNAME_OFFSET = 44;
const SNAME_SIZE = 64;
const FILE_OFFSET = 108;
const FILE_SIZE = 128;
const OPT_PAD = 0;
const OPT_OVERLOAD = 52;
const OPT_MESSAGE_TYPE = 53;
const OPT_CLIENT_ID = 61;
const OPT_RELAY_AGENT = 82;
const OPT_END = 255;

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

/** Bytes one option takes on the wire, split into ≤255-byte instances (a 0-length value is one instance). */
function wireSize(len: number): number {
  if (len === 0) return 2;
  return len + 2 * Math.ceil(len / 255);
}

function writeOption(
  out: Uint8Array,
  at: number,
  code: number,
  value: Uint8Array,
): number {
  if (value.length <= 255) {
    out[at] = code;
    out[at + 1] = value.length;
    out.set(value, at + 2);
    return at + 2 + value.length;
  }
  let i = at;
  for (let off = 0; off < value.length; off += 255) {
    const n = Math.min(255, value.length - off);
    out[i++] = code;
    out[i++] = n;
    out.set(value.subarray(off, off + n), i);
    i += n;
  }
  return i;
}

const put16 = (out: Uint8Array, at: number, n: number): void => {
  out[at] = (n >>> 8) & 255;
  out[at + 1] = n & 255;
};
const put32 = (out: Uint8Array, at: number, n: number): void => {
  out[at] = (n >>> 24) & 255;
  out[at + 1] = (n >>> 16) & 255;
  out[at + 2] = (n >>> 8) & 255;
  out[at + 3] = n & 255;
};

function writeText(
  out: Uint8Array,
  at: number,
  size: number,
  text: string,
): void {
  const n = Math.min(size, text.length);
  for (let k = 0; k < n; k++) out[at + k] = text.charCodeAt(k) & 0xff;
}

const encodable = (code: number): boolean =>
  Number.isInteger(code) && code > 0 && code < 255;

// Map.forEach callbacks with their state as `this`: no closure and no [code, value] array per option.
const sizing = { size: 0 };
function addWireSize(this: typeof sizing, value: Uint8Array, code: number) {
  if (encodable(code)) this.size += wireSize(value.length);
}
const EMPTY = new Uint8Array(0);
const writing = { out: EMPTY, at: 0 };
function writeListed(this: typeof writing, value: Uint8Array, code: number) {
  if (code !== OPT_MESSAGE_TYPE && code !== OPT_RELAY_AGENT && encodable(code))
    this.at = writeOption(this.out, this.at, code, value);
}

/**
 * Encodes a packet. Total and deterministic: numbers are truncated to their field widths, texts to their
 * fields (latin1), codes 0, 255 and non-integers are skipped.
 */
export function encodePacket(
  p: DhcpPacket,
  opts?: { minSize?: number },
): Buffer {
  const minSize = opts?.minSize ?? 300;
  const mt = p.options.get(OPT_MESSAGE_TYPE);
  const relay = p.options.get(OPT_RELAY_AGENT);
  sizing.size = OPTIONS_OFFSET + 1;
  p.options.forEach(addWireSize, sizing);
  const size = sizing.size;
  // Not zeroed by the allocator (a slice of Node's pool, no allocation of its own): the header is zeroed
  // and written, the options written, and what follows the end option zeroed.
  const out = Buffer.allocUnsafe(Math.max(size, minSize));
  out.fill(0, 0, OPTIONS_OFFSET);
  out[0] = p.op;
  out[1] = p.htype;
  out[2] = p.hlen;
  out[3] = p.hops;
  put32(out, 4, p.xid);
  put16(out, 8, p.secs);
  put16(out, 10, p.flags);
  put32(out, 12, p.ciaddr);
  put32(out, 16, p.yiaddr);
  put32(out, 20, p.siaddr);
  put32(out, 24, p.giaddr);
  out.set(p.chaddr.length > 16 ? p.chaddr.subarray(0, 16) : p.chaddr, 28);
  writeText(out, SNAME_OFFSET, SNAME_SIZE, p.sname);
  writeText(out, FILE_OFFSET, FILE_SIZE, p.file);
  put32(out, HEADER_SIZE, MAGIC_COOKIE);
  writing.out = out;
  writing.at = OPTIONS_OFFSET;
  if (mt !== undefined)
    writing.at = writeOption(out, writing.at, OPT_MESSAGE_TYPE, mt);
  p.options.forEach(writeListed, writing);
  let i = writing.at;
  writing.out = EMPTY; // the module keeps no reply alive
  if (relay !== undefined) i = writeOption(out, i, OPT_RELAY_AGENT, relay);
  out[i] = OPT_END;
  out.fill(0, i + 1);
  return out;
}

/** Option 53's value for each type, made once and shared by the replies (option values are read-only). */
const typeBytes: Uint8Array[] = [];
const messageTypeBytes = (t: number): Uint8Array =>
  (typeBytes[t] ??= Uint8Array.of(t));

/**
 * The skeleton of a reply: op 2, xid, flags, giaddr, htype/hlen, chaddr copied; option 53 set; option 61
 * echoed (RFC 6842) and option 82 echoed (RFC 3046 §2.2, always last on the wire). ciaddr is copied for ACK
 * (RFC 2131 table 3: an ACK to a renewing/rebinding REQUEST or to an INFORM carries the client's ciaddr).
 */
export function replyTo(req: DhcpPacket, messageType: number): DhcpPacket {
  const options = new Map<number, Uint8Array>();
  options.set(OPT_MESSAGE_TYPE, messageTypeBytes(messageType & 0xff));
  const clientId = req.options.get(OPT_CLIENT_ID);
  if (clientId !== undefined) options.set(OPT_CLIENT_ID, clientId);
  const relay = req.options.get(OPT_RELAY_AGENT);
  if (relay !== undefined) options.set(OPT_RELAY_AGENT, relay);
  const chaddr = new Uint8Array(16);
  chaddr.set(req.chaddr.subarray(0, 16));
  return {
    op: 2,
    htype: req.htype,
    hlen: req.hlen,
    hops: 0,
    xid: req.xid,
    secs: 0,
    flags: req.flags,
    ciaddr: messageType === MessageType.ACK ? req.ciaddr : 0,
    yiaddr: 0,
    siaddr: 0,
    giaddr: req.giaddr,
    chaddr,
    sname: '',
    file: '',
    options,
  };
}

/** The client's MAC from chaddr (first 6 bytes). */
export function macOf(p: DhcpPacket): Mac {
  return macFromBytes(p.chaddr);
}

/** A blank request packet (op 1, Ethernet), for builders and tests. */
export function emptyPacket(op: 1 | 2 = 1): DhcpPacket {
  return {
    op,
    htype: 1,
    hlen: 6,
    hops: 0,
    xid: 0,
    secs: 0,
    flags: 0,
    ciaddr: 0,
    yiaddr: 0,
    siaddr: 0,
    giaddr: 0,
    chaddr: new Uint8Array(16),
    sname: '',
    file: '',
    options: new Map(),
  };
}
