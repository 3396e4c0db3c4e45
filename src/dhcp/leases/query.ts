/**
 * The LeaseQuery (runtime/deps.ts) over a lease table: leases and pool usage per site of the current model,
 * and which phone holds an address. The DHCP service builds it over its live table (adding the addresses
 * DHCPINFORMs named); the CLI over a replayed one.
 */

import type { ApplianceModel, Site } from '../../config/model.ts';
import type {
  LeaseQuery,
  LeaseRow,
  ModelRef,
  PoolUsage,
} from '../../runtime/deps.ts';
import { formatIpv4, inCidr, parseIpv4 } from '../../shared/ipv4.ts';
import type { Mac } from '../../shared/mac.ts';
import type { LeaseTable } from './table.ts';

export interface LeaseQueryOptions {
  /** Unreadable journal lines skipped when the table was loaded. */
  readonly badLines: number;
  /** Asked for an address no live lease holds (the server's DHCPINFORM bindings). */
  readonly otherwise?: (ip: number, now: number) => Mac | undefined;
  readonly now?: () => number;
}

const inPools = (s: Site, ip: number): boolean =>
  s.pools.some((p) => ip >= p.first && ip <= p.last);

function poolUsage(
  model: ApplianceModel,
  table: LeaseTable,
  now: number,
): PoolUsage[] {
  const { leases, declined } = table.entries();
  const reservations = [...model.phones.values()]
    .map((p) => p.address)
    .filter((a): a is string => a !== undefined)
    .map((a) => parseIpv4(a))
    .filter((r) => r.ok)
    .map((r) => r.value);
  return [...model.sites.values()].map((s): PoolUsage => {
    const size = s.pools.reduce((n, p) => n + (p.last - p.first + 1), 0);
    const used = leases.filter(
      (l) => l.expires > now && inPools(s, l.ip),
    ).length;
    const held = declined.filter(
      (d) => d.until > now && inPools(s, d.ip),
    ).length;
    const reserved = reservations.filter((ip) => inPools(s, ip)).length;
    return {
      site: s.name,
      mode: s.mode,
      subnet: s.subnet.text,
      size,
      used,
      declined: held,
      reserved,
      free: Math.max(0, size - used - held - reserved),
    };
  });
}

function leaseRows(
  model: ApplianceModel,
  table: LeaseTable,
  now: number,
): LeaseRow[] {
  const sites = [...model.sites.values()];
  return table
    .entries()
    .leases.sort((a, b) => a.ip - b.ip)
    .map((l) => ({
      ip: formatIpv4(l.ip),
      mac: l.mac,
      site: sites.find((s) => inCidr(s.subnet, l.ip))?.name,
      expires: l.expires,
      active: l.expires > now,
    }));
}

export function createLeaseQuery(
  table: LeaseTable,
  model: ModelRef,
  opts: LeaseQueryOptions,
): LeaseQuery {
  const clock = opts.now ?? Date.now;
  return {
    macForAddress(ip) {
      const n = parseIpv4(ip);
      if (!n.ok) return undefined;
      const t = clock();
      const l = table.leaseByIp(n.value);
      if (l && l.expires > t) return l.mac;
      return opts.otherwise?.(n.value, t);
    },
    snapshot: (now) => ({
      leases: leaseRows(model.current(), table, now),
      pools: poolUsage(model.current(), table, now),
      badLines: opts.badLines,
    }),
    pools: (now) => poolUsage(model.current(), table, now),
  };
}
