/**
 * Leases and pool usage per site, read from the DHCP lease journal in the data directory (the same file the
 * DHCP server keeps, replayed read-only: works while the appliance runs and for the offline CLI).
 * The replay is cached by the journal's size and mtime.
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import type { ApplianceModel } from '../config/model.ts';
import { formatIpv4, inCidr, parseIpv4 } from '../shared/ipv4.ts';
import { readJournal } from '../dhcp/leases/journal.ts';
import { JOURNAL_FILE } from '../dhcp/leases/store.ts';

export interface LeaseRow { readonly ip: string; readonly mac: string; readonly site: string | undefined; readonly expires: number; readonly active: boolean }
export interface PoolUsage { readonly site: string; readonly mode: string; readonly subnet: string; readonly size: number; readonly used: number; readonly declined: number; readonly free: number; readonly reserved: number }

export interface LeaseSnapshot { readonly leases: LeaseRow[]; readonly pools: PoolUsage[]; readonly badLines: number }

interface Replayed { leases: Map<number, { mac: string; expires: number }>; declined: Map<number, number>; bad: number }

export function replayJournal(path: string): Replayed {
  const { records, bad } = readJournal(path);
  const leases = new Map<number, { mac: string; expires: number }>();
  const byMac = new Map<string, number>();
  const declined = new Map<number, number>();
  for (const r of records) {
    if (r.kind === 'bind') {
      const prev = byMac.get(r.mac);
      if (prev !== undefined && prev !== r.ip && leases.get(prev)?.mac === r.mac) leases.delete(prev);
      leases.set(r.ip, { mac: r.mac, expires: r.expires });
      byMac.set(r.mac, r.ip);
      declined.delete(r.ip);
    } else if (r.kind === 'release') {
      if (leases.get(r.ip)?.mac === r.mac) leases.delete(r.ip);
    } else {
      leases.delete(r.ip);
      declined.set(r.ip, r.until);
    }
  }
  return { leases, declined, bad };
}

export function leaseSnapshot(model: ApplianceModel, replayed: Replayed, now: number): LeaseSnapshot {
  const sites = [...model.sites.values()];
  const siteOf = (ip: number): string | undefined => sites.find((s) => inCidr(s.subnet, ip))?.name;
  const leases: LeaseRow[] = [...replayed.leases].map(([ip, l]) => ({ ip: formatIpv4(ip), mac: l.mac, site: siteOf(ip), expires: l.expires, active: l.expires > now }))
    .sort((a, b) => (parseIpv4(a.ip).ok && parseIpv4(b.ip).ok ? (parseIpv4(a.ip) as { value: number }).value - (parseIpv4(b.ip) as { value: number }).value : 0));
  const reservations = [...model.phones.values()].map((p) => p.address).filter((a): a is string => a !== undefined).map((a) => parseIpv4(a)).filter((r) => r.ok).map((r) => r.value);
  const inPools = (s: (typeof sites)[number], ip: number): boolean => s.pools.some((p) => ip >= p.first && ip <= p.last);
  const pools = sites.map((s): PoolUsage => {
    const size = s.pools.reduce((n, p) => n + (p.last - p.first + 1), 0);
    let used = 0;
    for (const [ip, l] of replayed.leases) if (l.expires > now && inPools(s, ip)) used++;
    let declined = 0;
    for (const [ip, until] of replayed.declined) if (until > now && inPools(s, ip)) declined++;
    const reserved = reservations.filter((ip) => inPools(s, ip)).length;
    return { site: s.name, mode: s.mode, subnet: s.subnet.text, size, used, declined, reserved, free: Math.max(0, size - used - declined - reserved) };
  });
  return { leases, pools, badLines: replayed.bad };
}

/** Reads <dataDir>/dhcp-leases.journal, replaying only when it changed. */
export function createLeaseReader(dataDir: () => string): (model: ApplianceModel, now: number) => LeaseSnapshot {
  let cache: { key: string; replayed: Replayed } | undefined;
  return (model, now) => {
    const path = join(dataDir(), JOURNAL_FILE);
    let key = 'none';
    try { const st = statSync(path); key = `${path}:${st.size}:${st.mtimeMs}`; } catch { /* no journal yet */ }
    if (!cache || cache.key !== key) cache = { key, replayed: key === 'none' ? { leases: new Map(), declined: new Map(), bad: 0 } : replayJournal(path) };
    return leaseSnapshot(model, cache.replayed, now);
  };
}
