/**
 * The syslog receiver: UDP (one datagram = one message) and, when services.syslog.tcp, TCP on the same port
 * (RFC 6587 octet counting or LF framing, codec/framing.ts). Each message is parsed (codec/message.ts) and
 * attributed to a phone: the MAC it carries in front of its text (device.syslog.prependMac), else the DHCP
 * lease / INFORM binding of the sender's address. Attributed lines go to the phone's file (store.ts) and out
 * as a SyslogEvent; the rest are counted and kept in a small in-memory ring. Bad input never costs more than
 * a counter: datagrams and lines over maxLineBytes, binary and empty ones, senders over their rate (per
 * address, bounded table), TCP connections over maxConnections or idle too long, streams with a broken count.
 * One message's handling and the counters are receive.ts, the TCP listener tcp.ts; this module is the service.
 */
import { createSocket } from 'node:dgram';
import type { ServiceDeps } from '../runtime/deps.ts';
import type { Mac } from '../shared/mac.ts';
import { createBoundedRateLimiter } from '../shared/rate-limit.ts';
import type { Service } from '../shared/service.ts';
import { bindUdp } from '../shared/udp.ts';
import { syslogDir } from './log-files.ts';
import {
  createSyslogHandler,
  emptyCounters,
  type SyslogStats,
} from './receive.ts';
import {
  openSyslogStore,
  type SyslogStore,
  type UnattributedEntry,
} from './store.ts';
import { listenSyslogTcp, type SyslogTcp } from './tcp.ts';

export type { SyslogEvent } from '../runtime/syslog-event.ts';
export type { SyslogStats } from './receive.ts';
export type { UnattributedEntry } from './store.ts';

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
  const stats = emptyCounters();
  const handle = createSyslogHandler({
    log,
    leases: deps.leases,
    events: deps.events,
    store,
    limiter,
    stats,
    maxLine,
  });

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

  let tcp: SyslogTcp | undefined;
  if (cfg().tcp) {
    try {
      tcp = await listenSyslogTcp({
        port,
        bindAddress: deps.bindAddress,
        maxLine,
        maxConnections: deps.maxConnections ?? 64,
        idleMs: deps.idleMs ?? 600_000,
        stats,
        handle,
        log,
      });
    } catch (e) {
      await new Promise<void>((resolve) => udp.close(() => resolve()));
      throw e;
    }
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
      if (tcp) await tcp.close();
      await store.flush();
    },
  };
}
