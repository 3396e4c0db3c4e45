/**
 * The DHCP service: socket → decode → rate limit → engine → lease store → reply. Every datagram is handled
 * inside one try/catch; a malformed one is dropped and counted. An ACK that binds a lease is sent only once
 * the lease is on disk (group commit), so a crash never loses an acknowledged lease.
 */
import type { Socket } from 'node:dgram';
import type { ApplianceModel } from '../config/model.ts';
import type { VendorLabels } from '../policy/vendor-class.ts';
import type { LeaseQuery, ServiceDeps } from '../runtime/deps.ts';
import { type DhcpEvent, dhcpLogLine } from '../runtime/events.ts';
import { ApplianceError } from '../shared/errors.ts';
import { formatIpv4, parseIpv4 } from '../shared/ipv4.ts';
import type { Mac } from '../shared/mac.ts';
import { createBoundedRateLimiter } from '../shared/rate-limit.ts';
import type { Service } from '../shared/service.ts';
import { messageType } from './codec/options.ts';
import {
  decodePacket,
  encodePacket,
  MessageType,
  macOf,
} from './codec/packet.ts';
import { type Decision, decide, messageName } from './engine.ts';
import { labelsOf } from './labels.ts';
import { createLeaseQuery } from './leases/query.ts';
import { openLeaseStore } from './leases/store.ts';
import { openDeviceSocket } from './socket/open.ts';
import { bump, createStats, type DhcpStats } from './stats.ts';

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

const INFORMED_MAX = 65_536;
const INFORMED_TTL_MS = 24 * 3600_000;

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
  const serverIps = new WeakMap<ApplianceModel, number>();
  const serverIpOf = (m: ApplianceModel): number => {
    let n = serverIps.get(m);
    if (n === undefined) {
      const r = parseIpv4(m.address);
      if (!r.ok) throw new ApplianceError('DHCP_SERVER_ADDRESS', r.error);
      n = r.value;
      serverIps.set(m, n);
    }
    return n;
  };
  serverIpOf(first);

  const store = await openLeaseStore(deps.dataDir, log);
  let socket: Socket;
  try {
    const opened = await openDeviceSocket(
      iface,
      port,
      deps.bindAddress ?? '0.0.0.0',
    );
    socket = opened.socket;
    log.info({ iface: opened.device, port }, 'dhcp listening');
  } catch (e) {
    await store.close();
    throw e;
  }

  let closed = false;
  let lastDropLog = 0;
  const noteDrop = (what: string, detail: Record<string, unknown>): void => {
    const t = now();
    if (t - lastDropLog < 1000) return; // at most one line a second for drops
    lastDropLog = t;
    log.warn(
      {
        ...detail,
        code: what,
        malformed: stats.malformed,
        rateLimited: stats.rateLimited,
      },
      'dhcp datagram dropped',
    );
  };

  // The reply address as text, memoised: perfdhcp and relays send from a handful of giaddrs.
  let lastDestIp = -1;
  let lastDestText = '';
  const destText = (ip: number): string => {
    if (ip !== lastDestIp) {
      lastDestIp = ip;
      lastDestText = formatIpv4(ip);
    }
    return lastDestText;
  };
  const onSent = (e: Error | null): void => {
    if (e) {
      stats.sendErrors++;
      log.warn({ code: 'DHCP_SEND', err: e.message }, 'dhcp send failed');
    }
  };
  const send = (d: Decision): void => {
    const r = d.reply!;
    socket.send(
      encodePacket(r.packet, { minSize: 300 }),
      r.dest.port,
      destText(r.dest.ip),
      onSent,
    );
    bump(stats.replies, messageName(r.type));
  };

  // Successful OFFERs and ACKs are the hot path: their log line is debug (the DhcpEvent is still emitted for
  // every message); refusals, NAKs and errors stay at info. An info summary every SUMMARY_MS says how many
  // exchanges went through, so an operator at info level still sees the server working.
  const debugOn = (): boolean => log.isLevelEnabled('debug');
  const since = { offers: 0, acks: 0, informs: 0, refused: 0 };
  const summary = setInterval(() => {
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
    since.offers = since.acks = since.informs = since.refused = 0;
  }, SUMMARY_MS);
  summary.unref();

  const report = (
    type: number | undefined,
    d: Decision,
    vendor: VendorLabels,
    result: string,
  ): void => {
    if (result !== 'ok') bump(stats.results, result);
    const event: DhcpEvent = {
      type: 'dhcp',
      message: messageName(type),
      reply: d.reply ? messageName(d.reply.type) : undefined,
      mac: d.mac,
      site: d.site?.name,
      address: d.address === undefined ? undefined : formatIpv4(d.address),
      labels: d.labels,
      vendor,
      result,
    };
    deps.events.emit(event);
    const replyType = d.reply?.type;
    if (result === 'ok' && (replyType === 2 || replyType === 5)) {
      if (replyType === 2) since.offers++;
      else if (type === 8) since.informs++;
      else since.acks++;
      if (debugOn()) log.debug(dhcpLogLine(event), 'dhcp');
      return;
    }
    since.refused++;
    log.info(dhcpLogLine(event), 'dhcp');
  };

  const persistError = (e?: Error): void => {
    if (e)
      log.error(
        { code: 'DHCP_LEASE_PERSIST', err: e.message },
        'lease change not persisted',
      );
  };

  const onMessage = (buf: Buffer): void => {
    stats.received++;
    // A reload that disables DHCP or names another interface stops answers at once (rebinding waits for a
    // restart): never answer where appliance.yaml no longer says we may.
    const live = deps.model.current();
    if (
      !live.services.dhcp.enabled ||
      (deps.interface === undefined && live.interface !== iface)
    ) {
      bump(stats.results, 'DHCP_DISABLED');
      return;
    }
    try {
      const decoded = decodePacket(buf);
      if (!decoded.ok) {
        stats.malformed++;
        bump(stats.malformedByCode, decoded.error.code);
        noteDrop(decoded.error.code, { bytes: buf.length });
        return;
      }
      const req = decoded.value;
      if (req.op !== 1) {
        bump(stats.results, 'DHCP_NOT_REQUEST');
        return;
      }
      const t = now();
      const mac = macOf(req);
      if (!limiter.allow(mac, t)) {
        stats.rateLimited++;
        noteDrop('DHCP_RATE_LIMITED', { mac });
        return;
      }
      const type = messageType(req);
      bump(stats.requests, messageName(type));
      const model = deps.model.current();
      const { labels, vendor } = labelsOf(req);
      const d = decide({
        req,
        model,
        labels,
        now: t,
        leases: store.table,
        serverIp: serverIpOf(model),
      });
      if (type === MessageType.INFORM && d.reply && req.ciaddr !== 0)
        noteInform(req.ciaddr, d.mac, t);
      if (!d.reply) {
        store.commitCb(d.changes, persistError);
        report(type, d, vendor, d.result);
      } else if (!d.durable) {
        store.commitCb(d.changes, persistError);
        send(d);
        report(type, d, vendor, d.result);
      } else {
        // The ACK goes out only once its lease is on disk (group commit).
        store.commitCb(d.changes, (e) => {
          try {
            if (!e) {
              if (!closed) send(d); // closing: the lease is durable, the socket is gone; the client retries
              report(type, d, vendor, d.result);
              return;
            }
            stats.persistFailures++;
            log.error(
              { code: 'DHCP_LEASE_PERSIST', err: e.message, mac },
              'lease not persisted: ACK withheld',
            );
            report(
              type,
              { ...d, reply: undefined },
              vendor,
              'DHCP_LEASE_PERSIST',
            );
          } catch (thrown) {
            stats.handlerErrors++;
            log.error(
              { code: 'DHCP_HANDLER', err: (thrown as Error).stack },
              'dhcp handler error',
            );
          }
        });
      }
    } catch (e) {
      stats.handlerErrors++;
      log.error(
        { code: 'DHCP_HANDLER', err: (e as Error).stack },
        'dhcp handler error',
      );
    }
  };
  /**
   * Phones at inform-only sites hold no lease of ours, but their DHCPINFORM names address and MAC: remember
   * that binding (bounded, oldest dropped first) so uploads from them are checked against their MAC too.
   */
  const informed = new Map<number, { mac: Mac; at: number }>();
  function noteInform(ip: number, mac: Mac, at: number): void {
    informed.delete(ip);
    informed.set(ip, { mac, at });
    if (informed.size > INFORMED_MAX)
      informed.delete(informed.keys().next().value!);
  }
  socket.on('message', onMessage);
  socket.on('error', (e) =>
    log.error({ code: 'DHCP_SOCKET', err: e.message }, 'dhcp socket error'),
  );

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
      otherwise: (ip, t) => {
        const i = informed.get(ip);
        return i && t - i.at < INFORMED_TTL_MS ? i.mac : undefined;
      },
    }),
    stats: () => ({ ...stats, leases: store.table.size() }),
    async close() {
      if (closed) return;
      closed = true;
      clearInterval(timer);
      clearInterval(summary);
      await new Promise<void>((r) => socket.close(() => r()));
      await store.close();
    },
  };
}
