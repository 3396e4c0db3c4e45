/**
 * Uploads refused because the uploader's address is bound to no phone (no DHCP lease, no INFORM binding):
 * counted per protocol, and logged at most once per host per window so a flood of writes from one address
 * costs one log line a minute, not one per attempt. Long-lived: hot reload keeps the same one across trees.
 */
import { setNewest } from '../shared/newest-map.ts';

export interface UnknownHostRefusal {
  readonly protocol: string;
  readonly peer: string;
  readonly path: string;
}

export interface RefusalLog {
  note(r: UnknownHostRefusal): void;
  /** Refusals so far, by protocol. */
  counts(): Readonly<Record<string, number>>;
}

export interface RefusalLogOptions {
  /** Called for the first refusal of a host in each window, with how many were suppressed since the last line. */
  readonly log?: (
    r: UnknownHostRefusal & { readonly suppressed: number },
  ) => void;
  readonly windowMs?: number;
  readonly now?: () => number;
  /** Hosts remembered at most (the oldest are forgotten first). */
  readonly maxHosts?: number;
}

export function createRefusalLog(opts: RefusalLogOptions = {}): RefusalLog {
  const windowMs = opts.windowMs ?? 60_000;
  const now = opts.now ?? Date.now;
  const maxHosts = opts.maxHosts ?? 4096;
  const counts: Record<string, number> = {};
  const hosts = new Map<string, { loggedAt: number; suppressed: number }>();
  return {
    note(r) {
      counts[r.protocol] = (counts[r.protocol] ?? 0) + 1;
      const t = now();
      const h = hosts.get(r.peer);
      if (h && t - h.loggedAt < windowMs) {
        h.suppressed++;
        return;
      }
      setNewest(hosts, r.peer, { loggedAt: t, suppressed: 0 }, maxHosts);
      opts.log?.({ ...r, suppressed: h?.suppressed ?? 0 });
    },
    counts: () => ({ ...counts }),
  };
}
