/**
 * The syslog receiver: UDP (one datagram = one message) and, when services.syslog.tcp, TCP on the same port
 * (RFC 6587 octet counting or LF framing, codec/framing.ts). Each message is parsed (codec/message.ts) and
 * attributed to a phone: the MAC it carries in front of its text (device.syslog.prependMac), else the DHCP
 * lease / INFORM binding of the sender's address. Attributed lines go to the phone's file (store.ts) and out
 * as a SyslogEvent; the rest are counted and kept in a small in-memory ring. Bad input never costs more than
 * a counter: datagrams and lines over maxLineBytes, binary and empty ones, senders over their rate (per
 * address, bounded table), TCP connections over maxConnections or idle too long, streams with a broken count.
 */
import { createSocket } from 'node:dgram';
import { createServer, type Socket } from 'node:net';
import type { ServiceDeps } from '../runtime/deps.ts';
import type { Mac } from '../shared/mac.ts';
import { createBoundedRateLimiter } from '../shared/rate-limit.ts';
import type { Service } from '../shared/service.ts';
import { FACILITY_NAMES, SEVERITY_NAMES } from '../shared/syslog-names.ts';
import { bindUdp } from '../shared/udp.ts';
import { createFramer } from './codec/framing.ts';
import { parseSyslog } from './codec/message.ts';
import { syslogDir } from './log-files.ts';
import {
  openSyslogStore,
  type SyslogStore,
  type SyslogStoreStats,
  type UnattributedEntry,
} from './store.ts';

export type { SyslogEvent } from '../runtime/syslog-event.ts';
export type { UnattributedEntry } from './store.ts';

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

export interface SyslogServerOptions {
  /** Overrides services.syslog.port (0 = any free port; TCP then uses the UDP port number). */
  readonly port?: number;
  /** Longest message accepted, bytes (default 8192; Polycom lines are under 1024). */
  readonly maxLineBytes?: number;
  /** Per sender address; default burst 2000, 500 per second, 4096 senders tracked. */
  readonly rateLimit?: {
    readonly burst: number;
    readonly perSecond: number;
    readonly maxSenders: number;
  };
  readonly maxConnections?: number;
  /** A TCP connection silent this long is closed (default 10 minutes). */
  readonly idleMs?: number;
  /** Unattributed lines kept in memory (default 200). */
  readonly ringSize?: number;
}

export interface SyslogService extends Service {
  readonly port: number;
  /** The TCP port (the same number as UDP), undefined when TCP is off. */
  readonly tcpPort: number | undefined;
  stats(): SyslogStats;
  recentUnattributed(): UnattributedEntry[];
  unattributedBySender(): Record<string, number>;
  /** The phone's current log file (<dataDir>/syslog/<mac>.log). */
  logFile(mac: Mac): string;
  /** Resolves once every line received so far is on disk. */
  flush(): Promise<void>;
}

export async function startSyslogServer(
  deps: ServiceDeps & SyslogServerOptions,
): Promise<SyslogService> {
  const log = deps.log.child({ svc: 'syslog' });
  const cfg = () => deps.model.current().services.syslog;
  const maxLine = deps.maxLineBytes ?? 8192;
  const rl = deps.rateLimit ?? {
    burst: 2000,
    perSecond: 500,
    maxSenders: 4096,
  };
  const limiter = createBoundedRateLimiter({
    burst: rl.burst,
    perSecond: rl.perSecond,
    maxKeys: rl.maxSenders,
  });
  let storeErrorLogged = false;
  const store: SyslogStore = await openSyslogStore({
    dir: syslogDir(deps.model.current().dataDir),
    maxFileBytes: () => cfg().maxFileBytes,
    maxPhones: () => cfg().maxPhones,
    ...(deps.ringSize === undefined ? {} : { ringSize: deps.ringSize }),
    onError: (e) => {
      if (storeErrorLogged) return;
      storeErrorLogged = true; // once: a full disk must not become a log flood
      log.error(
        { code: 'SYSLOG_STORE_IO', err: String(e) },
        'syslog: cannot write a phone log file',
      );
    },
  });
  const stats: Omit<SyslogStats, 'store' | 'trackedSenders'> = {
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
  };
  const { events } = deps;

  function handle(
    buf: Uint8Array,
    peer: string,
    transport: 'udp' | 'tcp',
  ): void {
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
        m.mac === undefined ? deps.leases.macForAddress(peer) : undefined;
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
  }

  const udp = createSocket({ type: 'udp4', reuseAddr: false });
  udp.on('error', (e) =>
    log.error(
      { code: 'SYSLOG_SOCKET', err: e.message },
      'syslog udp socket error',
    ),
  );
  udp.on('message', (msg, rinfo) => handle(msg, rinfo.address, 'udp'));
  await bindUdp(udp, deps.port ?? cfg().port, deps.bindAddress);
  const port = udp.address().port;
  // A boot storm arrives in bursts: a larger receive buffer (the kernel caps it at net.core.rmem_max).
  try {
    udp.setRecvBufferSize(4 * 1024 * 1024);
  } catch {
    /* keep the default */
  }

  const conns = new Set<Socket>();
  let tcp: ReturnType<typeof createServer> | undefined;
  const maxConnections = deps.maxConnections ?? 64;
  const idleMs = deps.idleMs ?? 600_000;
  if (cfg().tcp) {
    const server = createServer((sock) => {
      const peer = sock.remoteAddress?.replace(/^::ffff:/, '') ?? '?';
      if (conns.size >= maxConnections) {
        stats.tcp.refused++;
        sock.destroy();
        return;
      }
      stats.tcp.accepted++;
      conns.add(sock);
      stats.tcp.open = conns.size;
      const framer = createFramer(maxLine);
      sock.setTimeout(idleMs, () => {
        stats.tcp.idleClosed++;
        sock.destroy();
      });
      sock.on('data', (chunk: Buffer) => {
        const out = framer.push(chunk);
        stats.received += out.oversized;
        stats.dropped.SYSLOG_OVERSIZED += out.oversized;
        for (const f of out.frames) handle(f, peer, 'tcp');
        if (out.error) {
          stats.tcp.framingErrors++;
          sock.destroy();
        }
      });
      sock.on('end', () => {
        const last = framer.end();
        if (last) handle(last, peer, 'tcp');
        sock.end();
      });
      sock.on('error', () => {
        /* reset by peer: nothing to do */
      });
      sock.on('close', () => {
        conns.delete(sock);
        stats.tcp.open = conns.size;
      });
    });
    server.on('error', (e) =>
      log.error(
        { code: 'SYSLOG_SOCKET', err: e.message },
        'syslog tcp server error',
      ),
    );
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(
          { port, host: deps.bindAddress ?? '0.0.0.0', exclusive: true },
          () => {
            server.off('error', reject);
            resolve();
          },
        );
      });
    } catch (e) {
      await new Promise<void>((resolve) => udp.close(() => resolve()));
      throw e;
    }
    tcp = server;
  }
  log.info(
    { port, tcp: tcp !== undefined, bind: deps.bindAddress ?? '0.0.0.0' },
    'syslog listening',
  );

  let closed = false;
  return {
    name: 'syslog',
    port,
    tcpPort: tcp ? port : undefined,
    stats: () => ({
      ...stats,
      attributed: { ...stats.attributed },
      dropped: { ...stats.dropped },
      tcp: { ...stats.tcp },
      trackedSenders: limiter.size(),
      store: store.stats(),
    }),
    recentUnattributed: () => store.recentUnattributed(),
    unattributedBySender: () => store.unattributedBySender(),
    logFile: (mac) => store.fileOf(mac),
    flush: () => store.flush(),
    async close() {
      if (closed) return;
      closed = true;
      await new Promise<void>((resolve) => udp.close(() => resolve()));
      if (tcp) {
        for (const c of conns) c.destroy();
        await new Promise<void>((resolve) => tcp.close(() => resolve()));
      }
      await store.flush();
    },
  };
}
