/**
 * Domain-name option values: option 119 domain search list (RFC 3397, names in RFC 1035 §3.1 wire form) and
 * option 120 SIP servers (RFC 3361: an encoding byte, 0 = names as in 119, 1 = IPv4 addresses).
 * Encoding writes names uncompressed; decoding follows compression pointers (backwards only, so it terminates).
 */
import { err, ok, type Result } from '../../shared/result.ts';
import { ips, type ValueCodec } from './values.ts';

const LABEL = /^[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?$/;

function encodeName(name: string, out: number[]): string | undefined {
  const trimmed = name.endsWith('.') ? name.slice(0, -1) : name;
  if (trimmed.length === 0) return 'a domain name cannot be empty';
  const start = out.length;
  for (const label of trimmed.split('.')) {
    if (!LABEL.test(label)) return `"${name}" has an invalid label "${label}"`;
    out.push(label.length);
    for (let i = 0; i < label.length; i++) out.push(label.charCodeAt(i));
  }
  out.push(0);
  return out.length - start > 255
    ? `"${name}" is longer than 255 bytes on the wire`
    : undefined;
}

/** Names at offset `at`; returns [name, next offset] or undefined when malformed. */
function decodeName(b: Uint8Array, at: number): [string, number] | undefined {
  const labels: string[] = [];
  let i = at;
  let next = -1;
  let floor = at; // pointers must go strictly backwards from the lowest position visited
  for (let guard = 0; guard < 128; guard++) {
    if (i >= b.length) return undefined;
    const len = b[i]!;
    if (len === 0) {
      if (next < 0) next = i + 1;
      return labels.length === 0 ? undefined : [labels.join('.'), next];
    }
    if ((len & 0xc0) === 0xc0) {
      if (i + 1 >= b.length) return undefined;
      const target = ((len & 0x3f) << 8) | b[i + 1]!;
      if (target >= floor) return undefined;
      if (next < 0) next = i + 2;
      i = floor = target;
      continue;
    }
    if (len > 63 || i + 1 + len > b.length) return undefined;
    let label = '';
    for (let k = i + 1; k <= i + len; k++) label += String.fromCharCode(b[k]!);
    labels.push(label);
    i += 1 + len;
  }
  return undefined;
}

/** Option 119: a list of search domains. */
export const domains: ValueCodec<readonly string[]> = {
  encode(v) {
    if (v.length === 0) return err('a domain list needs at least one name');
    const out: number[] = [];
    for (const name of v) {
      const problem = encodeName(name, out);
      if (problem !== undefined) return err(problem);
    }
    return ok(Uint8Array.from(out));
  },
  decode(b) {
    if (b.length === 0) return undefined;
    const names: string[] = [];
    let i = 0;
    while (i < b.length) {
      const r = decodeName(b, i);
      if (r === undefined) return undefined;
      names.push(r[0]);
      i = r[1];
    }
    return names;
  },
};

export type SipServers =
  | { readonly names: readonly string[] }
  | { readonly addresses: readonly string[] };

/** Option 120 (RFC 3361). */
export const sipServers: ValueCodec<SipServers> = {
  encode(v): Result<Uint8Array, string> {
    const body =
      'names' in v ? domains.encode(v.names) : ips.encode(v.addresses);
    if (!body.ok) return body;
    const out = new Uint8Array(body.value.length + 1);
    out[0] = 'names' in v ? 0 : 1;
    out.set(body.value, 1);
    return ok(out);
  },
  decode(b) {
    if (b.length < 2) return undefined;
    const rest = b.subarray(1);
    if (b[0] === 0) {
      const names = domains.decode(rest);
      return names === undefined ? undefined : { names };
    }
    if (b[0] === 1) {
      const addresses = ips.decode(rest);
      return addresses === undefined ? undefined : { addresses };
    }
    return undefined;
  },
};
