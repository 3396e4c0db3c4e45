/**
 * Login throttling per source address (FTP logins, admin API tokens): the first few failures cost nothing,
 * then every further attempt from that address waits twice as long as the one before (base, 2·base, 4·base …
 * up to a cap) before its password is even checked. Attempts from one address are spaced however they come
 * (one connection, pipelined, or many in parallel): each attempt takes the next free slot, and an address
 * with too many attempts already waiting is refused at once. Until an address has used its free failures,
 * nothing is spaced or limited (a hundred phones behind one address may log in together). A success forgets the address; so does a quiet
 * spell. The table is bounded: the least recently seen address is forgotten first.
 */
import { setNewest } from './newest-map.ts';

export interface ThrottleSchedule {
  /** Failures that cost nothing (default 5). */
  readonly free: number;
  /** Wait before the first throttled attempt, in ms (default 100); doubles with every further failure. */
  readonly baseMs: number;
  /** Longest wait between two attempts, in ms (default 30 s). */
  readonly capMs: number;
  /** An address quiet this long is forgotten (default 15 min). */
  readonly forgetMs: number;
  /** Attempts of one address allowed to wait at once (default 8); more are refused without waiting. */
  readonly maxWaiting: number;
  /** Addresses remembered at most (default 10,000). */
  readonly maxAddresses: number;
}

export const DEFAULT_SCHEDULE: ThrottleSchedule = {
  free: 5,
  baseMs: 100,
  capMs: 30_000,
  forgetMs: 15 * 60_000,
  maxWaiting: 8,
  maxAddresses: 10_000,
};

/** The wait before the attempt that follows `failures` failures. */
export function waitAfter(
  failures: number,
  s: ThrottleSchedule = DEFAULT_SCHEDULE,
): number {
  if (failures < s.free) return 0;
  return Math.min(s.capMs, s.baseMs * 2 ** Math.min(failures - s.free, 40));
}

/** The least time `attempts` attempts from one address take (each after the previous one failed), in ms. */
export function minimumTime(
  attempts: number,
  s: ThrottleSchedule = DEFAULT_SCHEDULE,
): number {
  let t = 0;
  for (let n = 0; n < attempts - 1; n++) t += waitAfter(n, s);
  return t;
}

export interface Admission {
  /** Milliseconds to wait before checking the credentials. */
  readonly waitMs: number;
  /** Report the outcome of the check (exactly once). */
  done(ok: boolean): void;
}

export interface LoginThrottle {
  /** A slot for the next attempt of `address`, or undefined when too many of its attempts are waiting already. */
  admit(address: string): Admission | undefined;
  /** Failures recorded for an address (0 when unknown). */
  failures(address: string): number;
  readonly stats: { throttled: number; refused: number };
}

interface Entry {
  failures: number;
  next: number;
  waiting: number;
  seen: number;
}

export function createLoginThrottle(
  schedule: Partial<ThrottleSchedule> = {},
  now: () => number = Date.now,
): LoginThrottle {
  const s: ThrottleSchedule = { ...DEFAULT_SCHEDULE, ...schedule };
  const table = new Map<string, Entry>();
  const stats = { throttled: 0, refused: 0 };
  const touch = (address: string, t: number): Entry => {
    let e = table.get(address);
    if (e && e.waiting === 0 && t - e.seen > s.forgetMs) e = undefined;
    e ??= { failures: 0, next: 0, waiting: 0, seen: t };
    e.seen = t;
    setNewest(table, address, e, s.maxAddresses);
    return e;
  };
  return {
    admit(address) {
      const t = now();
      const e = touch(address, t);
      // An address within its free failures is not throttled at all: many phones behind one address log in at once.
      const throttled = e.failures >= s.free || e.next > t;
      if (throttled && e.waiting >= s.maxWaiting) {
        stats.refused++;
        return undefined;
      }
      const start = Math.max(t, e.next);
      // Every admitted attempt pushes the next one back by the wait its failures so far call for.
      e.next = start + waitAfter(e.failures + (throttled ? e.waiting : 0), s);
      e.waiting++;
      if (start > t) stats.throttled++;
      let settled = false;
      return {
        waitMs: start - t,
        done(ok) {
          if (settled) return;
          settled = true;
          e.waiting--;
          e.seen = now();
          if (ok) {
            e.failures = 0;
            e.next = 0;
          } else e.failures++;
        },
      };
    },
    failures: (address) => table.get(address)?.failures ?? 0,
    stats,
  };
}
