/**
 * Sub-option lists: option 43 (vendor-encapsulated, RFC 2132 §8.4), option 82 (RFC 3046), and option 125
 * (RFC 3925 §4 V-I Vendor-Specific Information: per enterprise number, a length byte and a sub-option list).
 */
import { err, ok, type Result } from '../../shared/result.ts';

export type SubOption = readonly [code: number, value: Uint8Array];

/** The parts one after the other. */
function concat(parts: readonly Uint8Array[]): Uint8Array {
  let size = 0;
  for (const p of parts) size += p.length;
  const out = new Uint8Array(size);
  let i = 0;
  for (const p of parts) {
    out.set(p, i);
    i += p.length;
  }
  return out;
}

/** code(1) len(1) value; each value at most 255 bytes. Codes 0 and 255 are allowed (vendor-defined). */
export function encodeSubOptions(
  list: readonly SubOption[],
): Result<Uint8Array, string> {
  const parts: Uint8Array[] = [];
  for (const [code, value] of list) {
    if (!Number.isInteger(code) || code < 0 || code > 255)
      return err(`sub-option code ${code} is not 0-255`);
    if (value.length > 255)
      return err(`sub-option ${code} is ${value.length} bytes, at most 255`);
    parts.push(Uint8Array.of(code, value.length), value);
  }
  return ok(concat(parts));
}

/**
 * Decodes a code/len/value list. Pad (0) and end (255) are *not* special here (RFC 3046 / RFC 3925 lists
 * carry none); callers that accept a trailing end marker strip it first (see vendor-class.ts).
 */
export function decodeSubOptions(buf: Uint8Array): Result<SubOption[], string> {
  const list: SubOption[] = [];
  let i = 0;
  while (i < buf.length) {
    if (i + 1 >= buf.length)
      return err(`sub-option ${buf[i]} at offset ${i} has no length byte`);
    const len = buf[i + 1]!;
    if (i + 2 + len > buf.length)
      return err(
        `sub-option ${buf[i]} at offset ${i} runs past the end (${len} bytes)`,
      );
    list.push([buf[i]!, buf.subarray(i + 2, i + 2 + len)]);
    i += 2 + len;
  }
  return ok(list);
}

export interface VendorInfo {
  readonly enterprise: number;
  readonly subOptions: readonly SubOption[];
}

/** Option 125: for each enterprise, enterprise-number(4) data-len(1) sub-options. */
export function encodeVivso(
  entries: readonly VendorInfo[],
): Result<Uint8Array, string> {
  const parts: Uint8Array[] = [];
  for (const e of entries) {
    if (
      !Number.isInteger(e.enterprise) ||
      e.enterprise < 0 ||
      e.enterprise > 0xffffffff
    )
      return err(`enterprise number ${e.enterprise} is not 0-4294967295`);
    const subs = encodeSubOptions(e.subOptions);
    if (!subs.ok) return err(`enterprise ${e.enterprise}: ${subs.error}`);
    if (subs.value.length > 255)
      return err(
        `enterprise ${e.enterprise}: sub-options take ${subs.value.length} bytes, at most 255`,
      );
    const head = Uint8Array.of(
      e.enterprise >>> 24,
      (e.enterprise >>> 16) & 255,
      (e.enterprise >>> 8) & 255,
      e.enterprise & 255,
      subs.value.length,
    );
    parts.push(head, subs.value);
  }
  return ok(concat(parts));
}

export function decodeVivso(buf: Uint8Array): Result<VendorInfo[], string> {
  const entries: VendorInfo[] = [];
  let i = 0;
  while (i < buf.length) {
    if (i + 5 > buf.length)
      return err(`enterprise entry at offset ${i} is shorter than 5 bytes`);
    const enterprise =
      ((buf[i]! << 24) |
        (buf[i + 1]! << 16) |
        (buf[i + 2]! << 8) |
        buf[i + 3]!) >>>
      0;
    const len = buf[i + 4]!;
    if (i + 5 + len > buf.length)
      return err(
        `enterprise ${enterprise} data runs past the end (${len} bytes)`,
      );
    const subs = decodeSubOptions(buf.subarray(i + 5, i + 5 + len));
    if (!subs.ok) return err(`enterprise ${enterprise}: ${subs.error}`);
    entries.push({ enterprise, subOptions: subs.value });
    i += 5 + len;
  }
  return ok(entries);
}
