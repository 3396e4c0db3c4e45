/**
 * One syslog message, from a datagram or a TCP frame: refused by a counter when oversized, over its sender's
 * rate or unparseable (codec/message.ts), else attributed to a phone (the MAC in front of its text, else the
 * sender's lease) and written to its file and emitted as a SyslogEvent, or kept as unattributed (store.ts).
 * Also the receiver's counters, which the UDP socket and the TCP listener (tcp.ts) add to as well.
 */
import type { Logger } from 'pino';
import type { LeaseLookup } from '../runtime/deps.ts';
import type { EventSink } from '../runtime/events.ts';
import type { BoundedRateLimiter } from '../shared/rate-limit.ts';
import { FACILITY_NAMES, SEVERITY_NAMES } from '../shared/syslog-names.ts';
import { parseSyslog } from './codec/message.ts';
import type { SyslogStore, SyslogStoreStats } from './store.ts';

export interface SyslogStats {
  received: number;
  attributed: { prefix: number; lease: number };
  unattributed: number;
  /** Dropped messages by reason. */
  dropped: {
    SYSLOG_EMPTY: number;
    SYSLOG_BINARY: number;
    SYSLOG_OVERSIZED: number;
    SYSLOG_RATE_LIMITED: number;
  };
  tcp: {
    accepted: number;
    refused: number;
    open: number;
    framingErrors: number;
    idleClosed: number;
  };
  handlerErrors: number;
  trackedSenders: number;
  store: SyslogStoreStats;
}

/** The counters the receiver keeps itself (the store and the rate limiter count the rest). */
export type SyslogCounters = Omit<SyslogStats, 'store' | 'trackedSenders'>;

export const emptyCounters = (): SyslogCounters => ({
  received: 0,
  attributed: { prefix: 0, lease: 0 },
  unattributed: 0,
  dropped: {
    SYSLOG_EMPTY: 0,
    SYSLOG_BINARY: 0,
    SYSLOG_OVERSIZED: 0,
    SYSLOG_RATE_LIMITED: 0,
  },
  tcp: { accepted: 0, refused: 0, open: 0, framingErrors: 0, idleClosed: 0 },
  handlerErrors: 0,
});

export type SyslogHandler = (
  buf: Uint8Array,
  peer: string,
  transport: 'udp' | 'tcp',
) => void;

export interface HandlerDeps {
  readonly log: Logger;
  readonly leases: LeaseLookup;
  readonly events: EventSink;
  readonly store: SyslogStore;
  readonly limiter: BoundedRateLimiter;
  readonly stats: SyslogCounters;
  /** Longest message accepted, bytes. */
  readonly maxLine: number;
}

export function createSyslogHandler({
  log,
  leases,
  events,
  store,
  limiter,
  stats,
  maxLine,
}: HandlerDeps): SyslogHandler {
  return (buf, peer, transport) => {
    stats.received++;
    try {
      if (buf.length > maxLine) {
        stats.dropped.SYSLOG_OVERSIZED++;
        return;
      }
      if (!limiter.allow(peer, Date.now())) {
        stats.dropped.SYSLOG_RATE_LIMITED++;
        return;
      }
      const parsed = parseSyslog(buf);
      if (!parsed.ok) {
        stats.dropped[parsed.error]++;
        return;
      }
      const m = parsed.value;
      const receivedAt = new Date().toISOString();
      const leaseMac =
        m.mac === undefined ? leases.macForAddress(peer) : undefined;
      const mac = m.mac ?? leaseMac;
      const original = Buffer.from(buf)
        .toString('utf8')
        .replace(/[\r\n\0]+$/, '');
      if (
        mac !== undefined &&
        store.append(
          mac,
          `${receivedAt} ${peer} ${transport} ${FACILITY_NAMES[m.facility] ?? m.facility}.${SEVERITY_NAMES[m.severity]} ${original}`,
        )
      ) {
        const attributedBy = m.mac !== undefined ? 'prefix' : 'lease';
        stats.attributed[attributedBy]++;
        events.emit({
          type: 'syslog',
          mac,
          attributedBy,
          peer,
          transport,
          format: m.format,
          facility: m.facility,
          severity: m.severity,
          timestamp: m.timestamp,
          hostname: m.hostname,
          app: m.app,
          text: m.text,
          receivedAt,
        });
        return;
      }
      stats.unattributed++;
      store.unattributed(peer, original, receivedAt);
    } catch (e) {
      stats.handlerErrors++;
      log.error(
        { code: 'SYSLOG_HANDLER', err: String(e) },
        'syslog: message handler failed',
      );
    }
  };
}
