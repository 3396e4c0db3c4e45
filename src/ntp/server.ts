/**
 * The SNTP server (RFC 4330 / RFC 5905 server mode): one UDP socket on services.ntp.port answers each client
 * request (mode 3, version 1-4) with a 48-byte mode-4 reply from the host clock. Version and poll are echoed,
 * origin = the client's transmit timestamp, receive taken as the datagram is handed to us and transmit just
 * before sending. Stratum: 3 while the kernel says the host clock is synchronised (its upstream is not
 * ours to see), else services.ntp.stratum with reference id LOCL (chrony's `local stratum`). Never a
 * Kiss-o'-Death: runts, wrong modes and versions and clients over their rate are dropped and counted.
 */
import { createSocket } from 'node:dgram';
import type { ServiceDeps } from '../runtime/deps.ts';
import { createBoundedRateLimiter } from '../shared/rate-limit.ts';
import type { Service } from '../shared/service.ts';
import { bindUdp } from '../shared/udp.ts';
import {
  decodeRequest,
  ntpFromUnixNs,
  type ServerClock,
  serverReply,
} from './codec/packet.ts';
import { type HostClock, openHostClock } from './host-clock.ts';
import { serverClockFor } from './server-clock.ts';

export interface NtpStats {
  received: number;
  answered: number;
  /** Dropped datagrams by reason (NTP_RUNT, NTP_BAD_VERSION, NTP_BAD_MODE, NTP_RATE_LIMITED, NTP_SEND). */
  dropped: {
    NTP_RUNT: number;
    NTP_BAD_VERSION: number;
    NTP_BAD_MODE: number;
    NTP_RATE_LIMITED: number;
    NTP_SEND: number;
  };
  /** Exceptions caught while handling one datagram (NTP_HANDLER). */
  handlerErrors: number;
  /** Clients the rate limiter currently tracks (bounded). */
  trackedClients: number;
  /** The stratum of the last reply (or the one a reply would get now). */
  stratum: number;
  synchronised: boolean;
  clock: 'native' | 'fallback';
}

export interface NtpServerOptions {
  /** Overrides services.ntp.port (0 = any free port). */
  readonly port?: number;
  /** The host clock (tests inject one). */
  readonly hostClock?: HostClock;
  /** Per-client budget; default burst 16, 4 per second, 4096 clients tracked. */
  readonly rateLimit?: {
    readonly burst: number;
    readonly perSecond: number;
    readonly maxClients: number;
  };
}

export interface NtpService extends Service {
  stats(): NtpStats;
  readonly port: number;
}

export { SYNCED_STRATUM } from './server-clock.ts';

export async function startNtpServer(
  deps: ServiceDeps & NtpServerOptions,
): Promise<NtpService> {
  const log = deps.log.child({ svc: 'ntp' });
  let hostClock = deps.hostClock;
  if (!hostClock) {
    const opened = openHostClock();
    hostClock = opened.clock;
    if (opened.warning)
      log.warn(
        { code: 'NTP_HOST_CLOCK', err: opened.warning },
        'ntp: host clock addon unavailable: millisecond timestamps, clock treated as unsynchronised',
      );
  }
  const clock = hostClock;
  const rl = deps.rateLimit ?? { burst: 16, perSecond: 4, maxClients: 4096 };
  const limiter = createBoundedRateLimiter({
    burst: rl.burst,
    perSecond: rl.perSecond,
    maxKeys: rl.maxClients,
  });
  const stats: NtpStats = {
    received: 0,
    answered: 0,
    dropped: {
      NTP_RUNT: 0,
      NTP_BAD_VERSION: 0,
      NTP_BAD_MODE: 0,
      NTP_RATE_LIMITED: 0,
      NTP_SEND: 0,
    },
    handlerErrors: 0,
    trackedClients: 0,
    stratum: 0,
    synchronised: false,
    clock: clock.kind,
  };

  // The kernel state changes slowly: read it at most once a second.
  let serverClock: ServerClock | undefined;
  let stateAt = -Infinity;
  const currentServerClock = (nowMs: number, nowNs: bigint): ServerClock => {
    if (serverClock && nowMs - stateAt < 1000) return serverClock;
    stateAt = nowMs;
    const s = clock.syncState();
    stats.synchronised = s.synchronised;
    serverClock = serverClockFor(
      s,
      deps.model.current().services.ntp.stratum,
      nowNs,
    );
    stats.stratum = serverClock.stratum;
    return serverClock;
  };

  const socket = createSocket({ type: 'udp4', reuseAddr: false });
  socket.on('error', (e) =>
    log.error({ code: 'NTP_SOCKET', err: e.message }, 'ntp socket error'),
  );
  socket.on('message', (msg, rinfo) => {
    const rxNs = clock.nowNs();
    stats.received++;
    try {
      const req = decodeRequest(msg);
      if (!req.ok) {
        stats.dropped[req.error]++;
        return;
      }
      if (rinfo.port === 0) {
        stats.dropped.NTP_RUNT++;
        return;
      }
      const nowMs = Date.now();
      if (!limiter.allow(rinfo.address, nowMs)) {
        stats.dropped.NTP_RATE_LIMITED++;
        return;
      }
      const sc = currentServerClock(nowMs, rxNs);
      const reply = serverReply(
        req.value,
        sc,
        ntpFromUnixNs(rxNs),
        ntpFromUnixNs(clock.nowNs()),
      );
      socket.send(reply, rinfo.port, rinfo.address, (e) => {
        if (e) stats.dropped.NTP_SEND++;
        else stats.answered++;
      });
    } catch (e) {
      stats.handlerErrors++;
      log.error(
        { code: 'NTP_HANDLER', err: String(e) },
        'ntp: datagram handler failed',
      );
    }
  });

  const port = deps.port ?? deps.model.current().services.ntp.port;
  await bindUdp(socket, port, deps.bindAddress);
  const bound = socket.address().port;
  currentServerClock(Date.now(), clock.nowNs());
  log.info(
    {
      port: bound,
      bind: deps.bindAddress ?? '0.0.0.0',
      clock: clock.kind,
      synchronised: stats.synchronised,
      stratum: stats.stratum,
    },
    'ntp listening',
  );

  let closed = false;
  return {
    name: 'ntp',
    port: bound,
    stats: () => ({
      ...stats,
      dropped: { ...stats.dropped },
      trackedClients: limiter.size(),
    }),
    async close() {
      if (closed) return;
      closed = true;
      await new Promise<void>((resolve) => socket.close(() => resolve()));
    },
  };
}
