/** Counters fed from the event bus: transfers by protocol, direction and result, bytes, refused uploads. */
import type { ApplianceEvent } from '../../runtime/events.ts';

export interface TrafficCounters {
  observe(e: ApplianceEvent): void;
  readonly transfers: Map<string, number>;
  readonly bytes: Map<string, number>;
  readonly refusedUploads: Map<string, number>;
  readonly dhcpEvents: Map<string, number>;
}

export function createTrafficCounters(): TrafficCounters {
  const transfers = new Map<string, number>();
  const bytes = new Map<string, number>();
  const refusedUploads = new Map<string, number>();
  const dhcpEvents = new Map<string, number>();
  const bump = (m: Map<string, number>, k: string, n = 1): void => {
    m.set(k, (m.get(k) ?? 0) + n);
  };
  return {
    transfers,
    bytes,
    refusedUploads,
    dhcpEvents,
    observe(e) {
      if (e.type === 'transfer') {
        bump(transfers, `${e.protocol}\u0000${e.direction}\u0000${e.result}`);
        if (Number.isFinite(e.bytes) && e.bytes > 0)
          bump(bytes, `${e.protocol}\u0000${e.direction}`, e.bytes);
        if (e.direction === 'upload' && e.result !== 'ok')
          bump(refusedUploads, e.result);
      } else if (e.type === 'dhcp') {
        bump(
          dhcpEvents,
          `${e.message}\u0000${e.reply ?? 'none'}\u0000${e.result}`,
        );
      }
    },
  };
}
