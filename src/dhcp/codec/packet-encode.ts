/**
 * DHCPv4 / BOOTP encoder. encodePacket is total and deterministic: option 53 first, then the Map's order,
 * option 82 last, then 255 (end); values over 255 bytes become consecutive instances (RFC 3396); zero
 * padding up to minSize (default 300).
 */

import {
  type DhcpPacket,
  FILE_OFFSET,
  FILE_SIZE,
  HEADER_SIZE,
  MAGIC_COOKIE,
  OPT_END,
  OPT_MESSAGE_TYPE,
  OPT_RELAY_AGENT,
  OPTIONS_OFFSET,
  SNAME_OFFSET,
  SNAME_SIZE,
} from './packet.ts';

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
