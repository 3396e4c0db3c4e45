/**
 * The DHCP service: the lease store, the socket bound to the phone VLAN's interface and the handler
 * (handler.ts) between them; a periodic sweep of expired holds and rate-limit buckets, an info summary of
 * the exchanges, and the LeaseQuery the other services ask.
 */
import type { LeaseQuery, ServiceDeps } from '../runtime/deps.ts';
import { createBoundedRateLimiter } from '../shared/rate-limit.ts';
import type { Service } from '../shared/service.ts';
import { createDhcpHandler, type DhcpHandler } from './handler.ts';
import { createLeaseQuery } from './leases/query.ts';
import { openLeaseStore } from './leases/store.ts';
import { type DhcpSocket, openDeviceSocket } from './socket/open.ts';
import { createStats, type DhcpStats } from './stats.ts';

export type { DhcpStats };

/** How often the info-level summary of successful exchanges is logged. */
export const SUMMARY_MS = 10_000;

export interface DhcpServerOptions {
  readonly dataDir: string;
  readonly port?: number;
  /** Overrides model.interface (tests). */
  readonly interface?: string;
  /** Per-MAC limit; default burst 40, 10 per second. */
  readonly rateLimit?: { burst: number; perSecond: number };
  readonly now?: () => number;
}

/** leases: the one answer to "which phone holds this address" and "what is leased", over the live table. */
export type DhcpServer = Service & {
  readonly leases: LeaseQuery;
  stats(): DhcpStats;
};

export async function startDhcpServer(
  deps: ServiceDeps & DhcpServerOptions,
): Promise<DhcpServer> {
  const log = deps.log.child({ svc: 'dhcp' });
  const first = deps.model.current();
  const iface = deps.interface ?? first.interface;
  const port = deps.port ?? first.services.dhcp.port;
  const now = deps.now ?? Date.now;
  const stats = createStats();
  // Per MAC; a flood of random MACs is bounded by maxKeys.
  const limiter = createBoundedRateLimiter({
    maxKeys: 65_536,
    ...(deps.rateLimit ?? { burst: 40, perSecond: 10 }),
  });

  const store = await openLeaseStore(deps.dataDir, log);
  let closed = false;
  let socket: DhcpSocket | undefined;
  let handler: DhcpHandler;
  try {
    handler = createDhcpHandler({
      model: deps.model,
      iface,
      pinnedInterface: deps.interface !== undefined,
      log,
      events: deps.events,
      store,
      limiter,
      stats,
      now,
      send: (bytes, ip, p) => socket?.send(bytes, ip, p),
      closed: () => closed,
    });
    const opened = await openDeviceSocket(
      iface,
      port,
      deps.bindAddress ?? '0.0.0.0',
      {
        message: handler.onMessage,
        sendError: (code) => {
          stats.sendErrors++;
          log.warn({ code: 'DHCP_SEND', err: code }, 'dhcp send failed');
        },
        error: (code) =>
          log.error({ code: 'DHCP_SOCKET', err: code }, 'dhcp socket error'),
      },
    );
    socket = opened.socket;
    log.info({ iface: opened.device, port }, 'dhcp listening');
  } catch (e) {
    await store.close();
    throw e;
  }

  // An operator at info level still sees the server working: how many exchanges went through.
  const summary = setInterval(() => {
    const since = handler.takeSummary();
    if (since.offers + since.acks + since.informs + since.refused === 0) return;
    const f = store.flushes;
    log.info(
      {
        ...since,
        leases: store.table.size(),
        journalFlushes: f.count,
        journalMaxFlushMs: Math.round(f.maxMs * 10) / 10,
        periodMs: SUMMARY_MS,
      },
      'dhcp summary',
    );
  }, SUMMARY_MS);
  summary.unref();
  const timer = setInterval(() => {
    const t = now();
    store.table.sweep(t);
    limiter.sweep(t);
  }, 10_000);
  timer.unref();

  return {
    name: 'dhcp',
    leases: createLeaseQuery(store.table, deps.model, {
      badLines: store.badLines,
      now,
      otherwise: handler.informedMac,
    }),
    stats: () => ({ ...stats, leases: store.table.size() }),
    async close() {
      if (closed) return;
      closed = true;
      clearInterval(timer);
      clearInterval(summary);
      socket?.close();
      await store.close();
    },
  };
}
