/**
 * Deterministic packet mutation for the codec fuzz test and benchmark (no Math.random: a seeded PRNG, so a
 * failing case is reproduced from its seed and index). Also the property every case must satisfy.
 */

import { formatPacket } from '../../src/dhcp/codec/format.ts';
import {
  clientId,
  hostName,
  leaseTime,
  maxMessageSize,
  messageType,
  parameterRequestList,
  requestedIp,
  serverId,
  textOption,
  vendorClassRaw,
} from '../../src/dhcp/codec/options.ts';
import type { DhcpPacket } from '../../src/dhcp/codec/packet.ts';
import { decodePacket } from '../../src/dhcp/codec/packet-decode.ts';
import { encodePacket } from '../../src/dhcp/codec/packet-encode.ts';
import {
  decodeSubOptions,
  decodeVivso,
} from '../../src/dhcp/codec/sub-options.ts';
import { parseVlanDiscovery } from '../../src/dhcp/codec/vlan.ts';
import { formatOption } from '../../src/dhcp/option-format.ts';
import { decodeVendorClass } from '../../src/policy/vendor-class.ts';

const INTERESTING = [
  0, 1, 2, 3, 4, 6, 52, 53, 54, 60, 61, 82, 125, 127, 128, 254, 255,
];

/** Offsets of the length bytes of the options in buf (walking from 240 like the decoder). */
function lengthOffsets(buf: Uint8Array): number[] {
  const out: number[] = [];
  let i = 240;
  while (i + 1 < buf.length) {
    const c = buf[i]!;
    if (c === 0) {
      i++;
      continue;
    }
    if (c === 255) break;
    out.push(i + 1);
    i += 2 + buf[i + 1]!;
  }
  return out;
}

/** One to three mutations of a random seed: bit flips, truncation, length-byte corruption, splice, insert/delete, overload. */
export function mutate(
  seeds: readonly Uint8Array[],
  rnd: () => number,
): Uint8Array {
  const pick = (n: number) => Math.floor(rnd() * n);
  let b = Uint8Array.from(seeds[pick(seeds.length)]!);
  const rounds = 1 + pick(3);
  for (let r = 0; r < rounds; r++) {
    switch (pick(8)) {
      case 0: {
        // bit flips
        const n = 1 + pick(8);
        for (let k = 0; k < n && b.length > 0; k++)
          b[pick(b.length)]! ^= 1 << pick(8);
        break;
      }
      case 1: // truncation
        b = b.subarray(0, pick(b.length + 1));
        break;
      case 2: {
        // length-byte corruption
        const offs = lengthOffsets(b);
        if (offs.length > 0)
          b[offs[pick(offs.length)]!] =
            rnd() < 0.5 ? INTERESTING[pick(INTERESTING.length)]! : pick(256);
        break;
      }
      case 3: {
        // splice a prefix of this packet with a suffix of another seed
        const other = seeds[pick(seeds.length)]!;
        const cut = pick(b.length + 1);
        const from = pick(other.length + 1);
        const joined = new Uint8Array(cut + other.length - from);
        joined.set(b.subarray(0, cut));
        joined.set(other.subarray(from), cut);
        b = joined;
        break;
      }
      case 4: {
        // insert or delete a run of bytes in the options area
        const at = Math.min(b.length, 240 + pick(Math.max(1, b.length - 239)));
        const n = 1 + pick(8);
        if (rnd() < 0.5) {
          const grown = new Uint8Array(b.length + n);
          grown.set(b.subarray(0, at));
          for (let k = 0; k < n; k++)
            grown[at + k] =
              rnd() < 0.5 ? INTERESTING[pick(INTERESTING.length)]! : pick(256);
          grown.set(b.subarray(at), at + n);
          b = grown;
        } else {
          const shrunk = new Uint8Array(Math.max(0, b.length - n));
          shrunk.set(b.subarray(0, Math.min(at, shrunk.length)));
          if (at + n < b.length) shrunk.set(b.subarray(at + n), at);
          b = shrunk;
        }
        break;
      }
      case 5: {
        // interesting byte somewhere
        if (b.length > 0)
          b[pick(b.length)] = INTERESTING[pick(INTERESTING.length)]!;
        break;
      }
      case 6: {
        // overload: prepend option 52 and fill file / sname with random TLVs
        if (b.length < 241) break;
        const grown = new Uint8Array(b.length + 3);
        grown.set(b.subarray(0, 240));
        grown.set([52, 1, 1 + pick(3)], 240);
        grown.set(b.subarray(240), 243);
        for (let i = 44; i < 236; ) {
          const code = INTERESTING[pick(INTERESTING.length)]!;
          const len = pick(12);
          grown[i++] = code;
          if (i < 236) grown[i++] = len;
          for (let k = 0; k < len && i < 236; k++) grown[i++] = pick(256);
        }
        b = grown;
        break;
      }
      default: {
        // header fields: op, hlen, cookie
        const at = [0, 2, 236, 237, 238, 239][pick(6)]!;
        if (at < b.length)
          b[at] =
            pick(4) === 0 ? pick(256) : INTERESTING[pick(INTERESTING.length)]!;
      }
    }
  }
  return b;
}

function sameOptions(
  a: Map<number, Uint8Array>,
  b: Map<number, Uint8Array>,
): boolean {
  if (a.size !== b.size) return false;
  for (const [k, v] of a) {
    const w = b.get(k);
    if (w === undefined || w.length !== v.length) return false;
    for (let i = 0; i < v.length; i++) if (v[i] !== w[i]) return false;
  }
  return true;
}

function sameHeader(a: DhcpPacket, b: DhcpPacket): boolean {
  return (
    a.op === b.op &&
    a.htype === b.htype &&
    a.hlen === b.hlen &&
    a.hops === b.hops &&
    a.xid === b.xid &&
    a.secs === b.secs &&
    a.flags === b.flags &&
    a.ciaddr === b.ciaddr &&
    a.yiaddr === b.yiaddr &&
    a.siaddr === b.siaddr &&
    a.giaddr === b.giaddr &&
    a.sname === b.sname &&
    a.file === b.file &&
    a.chaddr.every((x, i) => b.chaddr[i] === x)
  );
}

export type CaseOutcome =
  | { kind: 'rejected'; code: string }
  | { kind: 'accepted' }
  | { kind: 'violation'; why: string };

/**
 * The fuzz property: decoding never throws; an accepted packet's accessors never throw; encode(decode(x))
 * decodes again to the same header and options. Exceptions propagate to the caller (they are the crashes).
 */
export function checkCase(x: Uint8Array): CaseOutcome {
  const d = decodePacket(x);
  if (!d.ok) return { kind: 'rejected', code: d.error.code };
  const p = d.value;
  messageType(p);
  requestedIp(p);
  serverId(p);
  parameterRequestList(p);
  clientId(p);
  hostName(p);
  leaseTime(p);
  maxMessageSize(p);
  decodeVendorClass(vendorClassRaw(p));
  formatPacket(p);
  const o43 = p.options.get(43);
  if (o43 !== undefined) decodeSubOptions(o43);
  const o125 = p.options.get(125);
  if (o125 !== undefined) decodeVivso(o125);
  for (const [code, value] of p.options) formatOption(code, value);
  const vlan = textOption(p, 128);
  if (vlan !== undefined) parseVlanDiscovery(vlan);
  const again = decodePacket(encodePacket(p));
  if (!again.ok)
    return {
      kind: 'violation',
      why: `re-encoded packet does not decode: ${again.error.code}`,
    };
  if (!sameOptions(p.options, again.value.options))
    return {
      kind: 'violation',
      why: 're-encoded packet has different options',
    };
  if (!sameHeader(p, again.value))
    return {
      kind: 'violation',
      why: 're-encoded packet has a different header',
    };
  return { kind: 'accepted' };
}
