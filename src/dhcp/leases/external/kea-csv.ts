/**
 * Kea's memfile lease file (kea-dhcp4 `lease-database: { type: memfile }`, the lease4 CSV) → ExternalLease
 * records. The header line names the columns (Kea 2.2: address,hwaddr,client_id,valid_lifetime,expire,
 * subnet_id,fqdn_fwd,fqdn_rev,hostname,state,user_context; later releases add pool_id), so columns are found by
 * name. Kea appends one line per change: a later line for an address supersedes the earlier ones, and a line
 * with valid_lifetime 0 deletes the lease. state 0 = default (bound), 1 = declined, 2 = expired-reclaimed.
 * Kea escapes commas inside a field (&#x2c), so a plain split is exact. Total: a line that cannot be read is
 * counted and skipped; nothing throws.
 */
import { parseIpv4 } from '../../../shared/ipv4.ts';
import { parseMac } from '../../../shared/mac.ts';
import { type ExternalLease, type ParsedLeases, supersede } from './records.ts';

/** Kea 2.2's columns, used when a file starts without a header (a torn rewrite). */
const DEFAULT_COLUMNS = [
  'address',
  'hwaddr',
  'client_id',
  'valid_lifetime',
  'expire',
  'subnet_id',
  'fqdn_fwd',
  'fqdn_rev',
  'hostname',
  'state',
  'user_context',
];
const STATES: Readonly<Record<string, ExternalLease['state']>> = {
  0: 'bound',
  1: 'declined',
  2: 'reclaimed',
};
const UINT = /^\d+$/;

type Line =
  | { kind: 'lease'; lease: ExternalLease }
  | { kind: 'delete'; ip: number }
  | { kind: 'skip' }
  | { kind: 'bad' };

function readLine(
  fields: readonly string[],
  col: ReadonlyMap<string, number>,
): Line {
  const get = (name: string): string | undefined => {
    const i = col.get(name);
    return i === undefined ? undefined : fields[i]?.trim();
  };
  const ip = parseIpv4(get('address') ?? '');
  const valid = get('valid_lifetime') ?? '';
  const expire = get('expire') ?? '';
  const stateText = get('state') || '0';
  const state = STATES[stateText];
  if (!ip.ok || !UINT.test(valid) || !UINT.test(expire) || state === undefined)
    return { kind: 'bad' };
  if (valid === '0') return { kind: 'delete', ip: ip.value };
  const hw = get('hwaddr') ?? '';
  const mac = hw === '' ? undefined : parseMac(hw);
  if (mac !== undefined && !mac.ok) return { kind: 'bad' };
  // A bound lease known only by its client id names no phone: nothing to learn from it.
  if (mac === undefined && state !== 'declined') return { kind: 'skip' };
  return {
    kind: 'lease',
    lease: {
      ip: ip.value,
      mac: mac?.value,
      expires: Number(expire) * 1000,
      state,
    },
  };
}

/**
 * The leases of Kea's files, read in the order Kea itself loads them at start (lfc: `.completed`, or `.2`
 * then `.1`, then the file itself); each text carries its own header.
 */
export function parseKeaLeases(texts: readonly string[]): ParsedLeases {
  const by = new Map<number, ExternalLease>();
  let bad = 0;
  for (const text of texts) {
    let col: Map<string, number> | undefined;
    for (const raw of text.split('\n')) {
      const line = raw.replace(/\r$/, '');
      if (line.trim() === '') continue;
      const fields = line.split(',');
      if (fields.some((f) => f.trim() === 'address')) {
        // the header (written first, and again by each rewrite)
        col = new Map(fields.map((f, i) => [f.trim(), i]));
        continue;
      }
      col ??= new Map(DEFAULT_COLUMNS.map((f, i) => [f, i]));
      const r = readLine(fields, col);
      if (r.kind === 'bad') bad++;
      else if (r.kind === 'delete') by.delete(r.ip);
      else if (r.kind === 'lease') supersede(by, r.lease);
    }
  }
  return { leases: [...by.values()], bad };
}
