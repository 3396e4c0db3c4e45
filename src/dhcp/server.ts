/**
 * The DHCP service: socket → decode → rate limit → engine → lease store → reply. Every datagram is handled
 * inside one try/catch; a malformed one is dropped and counted. An ACK that binds a lease is sent only once
 * the lease is on disk (group commit), so a crash never loses an acknowledged lease.
 */
import type { Socket } from 'node:dgram';
import type { ApplianceModel } from '../config/model.ts';
import type { Service, ServiceDeps, LeaseLookup } from '../shared/service.ts';
import type { Mac } from '../shared/mac.ts';
import { formatIpv4, parseIpv4 } from '../shared/ipv4.ts';
import { ApplianceError } from '../shared/errors.ts';
import { decodePacket, encodePacket, macOf } from './codec/packet.ts';
import { messageType } from './codec/options.ts';
import { decide, messageName, type Decision } from './engine.ts';
import { labelsOf, eventLabels } from './labels.ts';
import { openLeaseStore } from './leases/store.ts';
import { createRateLimiter } from './rate-limit.ts';
import { bump, createStats, type DhcpStats } from './stats.ts';
import { openDeviceSocket } from './socket/open.ts';

export type { DhcpStats };

export interface DhcpServerOptions {
  readonly dataDir: string;
  readonly port?: number;
  /** Overrides model.interface (tests). */
  readonly interface?: string;
  /** Per-MAC limit; default burst 40, 10 per second. */
  readonly rateLimit?: { burst: number; perSecond: number };
  readonly now?: () => number;
}

export type DhcpServer = Service & { readonly leases: LeaseLookup; stats(): DhcpStats };

export async function startDhcpServer(deps: ServiceDeps & DhcpServerOptions): Promise<DhcpServer> {
  const log = deps.log.child({ svc: 'dhcp' });
  const first = deps.model.current();
  const iface = deps.interface ?? first.interface;
  const port = deps.port ?? first.services.dhcp.port;
  const now = deps.now ?? Date.now;
  const stats = createStats();
  const limiter = createRateLimiter(deps.rateLimit ?? { burst: 40, perSecond: 10 });
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
    const opened = await openDeviceSocket(iface, port, deps.bindAddress ?? '0.0.0.0');
    socket = opened.socket;
    log.info({ iface: opened.device, port }, 'dhcp listening');
  } catch (e) {
    await store.close();
    throw e;
  }

  let lastDropLog = 0;
  const noteDrop = (what: string, detail: Record<string, unknown>): void => {
    const t = now();
    if (t - lastDropLog < 1000) return; // at most one line a second for drops
    lastDropLog = t;
    log.warn({ ...detail, code: what, malformed: stats.malformed, rateLimited: stats.rateLimited }, 'dhcp datagram dropped');
  };

  const send = (d: Decision): void => {
    const r = d.reply!;
    const buf = encodePacket(r.packet, { minSize: 300 });
    socket.send(buf, r.dest.port, formatIpv4(r.dest.ip), (e) => {
      if (e) { stats.sendErrors++; log.warn({ code: 'DHCP_SEND', err: e.message, to: formatIpv4(r.dest.ip) }, 'dhcp send failed'); }
    });
    bump(stats.replies, messageName(r.type));
  };

  const report = (type: number | undefined, d: Decision, result: string): void => {
    if (result !== 'ok') bump(stats.results, result);
    const event = {
      type: 'dhcp' as const,
      message: messageName(type),
      reply: d.reply ? messageName(d.reply.type) : undefined,
      mac: d.mac,
      site: d.site?.name,
      address: d.address === undefined ? undefined : formatIpv4(d.address),
      labels: eventLabels(d.labels),
      result,
    };
    deps.events.emit(event);
    // One log line per exchange: the ACK/NAK that ends it (or INFORM's ACK, or a refusal); OFFERs at debug.
    if (d.reply?.type === 2 && result === 'ok') log.debug(event, 'dhcp'); else log.info(event, 'dhcp');
  };

  const onMessage = (buf: Buffer): void => {
    stats.received++;
    try {
      const decoded = decodePacket(buf);
      if (!decoded.ok) {
        stats.malformed++;
        bump(stats.malformedByCode, decoded.error.code);
        noteDrop(decoded.error.code, { bytes: buf.length });
        return;
      }
      const req = decoded.value;
      if (req.op !== 1) { bump(stats.results, 'DHCP_NOT_REQUEST'); return; }
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
      const d = decide({ req, model, labels: labelsOf(req).labels, now: t, leases: store.table, serverIp: serverIpOf(model) });
      const durable = store.commit(d.changes);
      if (!d.reply) {
        durable.catch((e: Error) => log.error({ code: 'DHCP_LEASE_PERSIST', err: e.message }, 'lease change not persisted'));
        report(type, d, d.result);
      } else if (!d.durable) {
        send(d);
        report(type, d, d.result);
      } else {
        durable.then(() => { send(d); report(type, d, d.result); }, (e: Error) => {
          stats.persistFailures++;
          log.error({ code: 'DHCP_LEASE_PERSIST', err: e.message, mac }, 'lease not persisted: ACK withheld');
          report(type, { ...d, reply: undefined }, 'DHCP_LEASE_PERSIST');
        });
      }
    } catch (e) {
      stats.handlerErrors++;
      log.error({ code: 'DHCP_HANDLER', err: (e as Error).stack }, 'dhcp handler error');
    }
  };
  socket.on('message', onMessage);
  socket.on('error', (e) => log.error({ code: 'DHCP_SOCKET', err: e.message }, 'dhcp socket error'));

  const timer = setInterval(() => {
    const t = now();
    store.table.sweep(t);
    limiter.sweep(t);
  }, 10_000);
  timer.unref();

  let closed = false;
  return {
    name: 'dhcp',
    leases: {
      macForAddress(ip: string): Mac | undefined {
        const n = parseIpv4(ip);
        if (!n.ok) return undefined;
        const l = store.table.leaseByIp(n.value);
        return l && l.expires > now() ? l.mac : undefined;
      },
    },
    stats: () => ({ ...stats, leases: store.table.size() }),
    async close() {
      if (closed) return;
      closed = true;
      clearInterval(timer);
      await new Promise<void>((r) => socket.close(() => r()));
      await store.close();
    },
  };
}
