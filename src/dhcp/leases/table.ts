/**
 * The in-memory lease table: bound leases, declined (quarantined) addresses and short offer holds, plus the
 * address allocator. Reads are a LeaseView (what the pure engine sees); changes arrive as LeaseChange values
 * the engine returned, applied here and, for the persistent ones, journalled by store.ts.
 * Times are milliseconds since the epoch; addresses are u32 numbers.
 */

import type { DhcpPool } from '../../config/model.ts';
import type { Mac } from '../../shared/mac.ts';

export interface Lease {
  readonly ip: number;
  readonly mac: Mac;
  /** Bound until (ms); an expired lease stays as the MAC's preferred address until someone else takes it. */
  readonly expires: number;
}

export type LeaseChange =
  /** An OFFER holds the address for a short while, in memory only. */
  | {
      readonly kind: 'hold';
      readonly ip: number;
      readonly mac: Mac;
      readonly until: number;
    }
  /** An ACK binds the address; persisted (fsync) before the ACK is sent. */
  | {
      readonly kind: 'bind';
      readonly ip: number;
      readonly mac: Mac;
      readonly expires: number;
    }
  | { readonly kind: 'release'; readonly ip: number; readonly mac: Mac }
  /** DECLINE: nobody gets the address until `until`. */
  | { readonly kind: 'decline'; readonly ip: number; readonly until: number };

/** Who occupies an address right now. */
export type Occupant =
  | { readonly kind: 'lease' | 'hold'; readonly mac: Mac }
  | { readonly kind: 'declined' }
  | undefined;

export interface LeaseView {
  /** The MAC's lease (possibly expired), if any. */
  leaseOf(mac: Mac): Lease | undefined;
  /** The address a pending offer holds for this MAC, if the hold is still valid. */
  holdOf(mac: Mac, now: number): number | undefined;
  occupant(ip: number, now: number): Occupant;
  /** A free address in these pools, skipping `excluded` ones (reservations); undefined when exhausted. */
  findFree(
    pools: readonly DhcpPool[],
    now: number,
    excluded: (ip: number) => boolean,
  ): number | undefined;
}

export interface LeaseTable extends LeaseView {
  apply(change: LeaseChange): void;
  /** The bound lease (possibly expired) on this address, if any. */
  leaseByIp(ip: number): Lease | undefined;
  /** Drop expired holds and quarantines; returns how many were dropped. */
  sweep(now: number): number;
  /** Live entries for compaction: bound leases (even expired, to keep affinity) and quarantines. */
  entries(): { leases: Lease[]; declined: { ip: number; until: number }[] };
  size(): number;
}

export function createLeaseTable(): LeaseTable {
  const byIp = new Map<number, Lease>();
  const byMac = new Map<Mac, number>();
  const holds = new Map<number, { mac: Mac; until: number }>();
  const holdByMac = new Map<Mac, number>();
  const declined = new Map<number, number>();
  /** Per pool (keyed by its first address) the lowest address that may still be free, and the pool's end:
   * keeps allocation O(1) amortised. */
  const cursor = new Map<
    number,
    { readonly first: number; next: number; readonly last: number }
  >();

  const dropHold = (ip: number): void => {
    const h = holds.get(ip);
    if (!h) return;
    holds.delete(ip);
    if (holdByMac.get(h.mac) === ip) holdByMac.delete(h.mac);
  };
  const dropLease = (ip: number): void => {
    const l = byIp.get(ip);
    if (!l) return;
    byIp.delete(ip);
    if (byMac.get(l.mac) === ip) byMac.delete(l.mac);
  };

  const occupant = (ip: number, now: number): Occupant => {
    const d = declined.get(ip);
    if (d !== undefined && d > now) return { kind: 'declined' };
    const l = byIp.get(ip);
    if (l && l.expires > now) return { kind: 'lease', mac: l.mac };
    const h = holds.get(ip);
    if (h && h.until > now) return { kind: 'hold', mac: h.mac };
    return undefined;
  };

  /** Free for a newcomer: unoccupied and not some other MAC's (expired) affinity address, unless nothing else. */
  const scan = (
    pool: DhcpPool,
    from: number,
    now: number,
    excluded: (ip: number) => boolean,
    allowStale: boolean,
  ): number | undefined => {
    for (let ip = from; ip <= pool.last; ip++) {
      if (excluded(ip) || occupant(ip, now) !== undefined) continue;
      if (!allowStale && byIp.has(ip)) continue;
      return ip;
    }
    return undefined;
  };

  return {
    leaseOf: (mac) => {
      const ip = byMac.get(mac);
      return ip === undefined ? undefined : byIp.get(ip);
    },
    holdOf: (mac, now) => {
      const ip = holdByMac.get(mac);
      if (ip === undefined) return undefined;
      const h = holds.get(ip);
      return h && h.mac === mac && h.until > now ? ip : undefined;
    },
    occupant,
    findFree(pools, now, excluded) {
      for (const pool of pools) {
        let known = cursor.get(pool.first);
        if (known === undefined || known.last !== pool.last) {
          known = { first: pool.first, next: pool.first, last: pool.last };
          cursor.set(pool.first, known);
        } // memo only: a hold moves it forward
        const from = Math.max(pool.first, known.next);
        const ip =
          scan(pool, from, now, excluded, false) ??
          (from > pool.first
            ? scan(pool, pool.first, now, excluded, false)
            : undefined);
        if (ip !== undefined) return ip;
      }
      // Every address has been used once: reclaim expired leases of other phones.
      for (const pool of pools) {
        const ip = scan(pool, pool.first, now, excluded, true);
        if (ip !== undefined) return ip;
      }
      return undefined;
    },
    apply(change) {
      switch (change.kind) {
        case 'hold': {
          const prev = holdByMac.get(change.mac);
          if (prev !== undefined) dropHold(prev);
          dropHold(change.ip);
          holds.set(change.ip, { mac: change.mac, until: change.until });
          holdByMac.set(change.mac, change.ip);
          for (const c of cursor.values())
            if (
              change.ip >= c.first &&
              change.ip <= c.last &&
              change.ip >= c.next
            )
              c.next = change.ip + 1;
          break;
        }
        case 'bind': {
          const prevIp = byMac.get(change.mac);
          if (prevIp !== undefined && prevIp !== change.ip) dropLease(prevIp);
          dropLease(change.ip);
          const h = holds.get(change.ip);
          if (h) dropHold(change.ip);
          const hm = holdByMac.get(change.mac);
          if (hm !== undefined) dropHold(hm);
          declined.delete(change.ip);
          byIp.set(change.ip, {
            ip: change.ip,
            mac: change.mac,
            expires: change.expires,
          });
          byMac.set(change.mac, change.ip);
          break;
        }
        case 'release': {
          const l = byIp.get(change.ip);
          if (l && l.mac === change.mac) dropLease(change.ip);
          break;
        }
        case 'decline': {
          dropLease(change.ip);
          dropHold(change.ip);
          declined.set(change.ip, change.until);
          break;
        }
      }
    },
    leaseByIp: (ip) => byIp.get(ip),
    sweep(now) {
      let n = 0;
      for (const [ip, h] of holds)
        if (h.until <= now) {
          dropHold(ip);
          n++;
        }
      for (const [ip, until] of declined)
        if (until <= now) {
          declined.delete(ip);
          n++;
        }
      return n;
    },
    entries() {
      return {
        leases: [...byIp.values()],
        declined: [...declined].map(([ip, until]) => ({ ip, until })),
      };
    },
    size: () => byIp.size,
  };
}
