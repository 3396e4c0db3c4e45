/**
 * Syslog over TCP (services.syslog.tcp), on the UDP port's number: RFC 6587 octet counting or LF framing
 * (codec/framing.ts), each frame handled like a datagram (receive.ts). Bounded: at most maxConnections open
 * (more are refused), an idle one closed after idleMs, a stream whose framing breaks closed at once.
 */
import { createServer, type Socket } from 'node:net';
import type { Logger } from 'pino';
import { createFramer } from './codec/framing.ts';
import type { SyslogCounters, SyslogHandler } from './receive.ts';

export interface SyslogTcpOptions {
  readonly port: number;
  readonly bindAddress: string | undefined;
  readonly maxLine: number;
  readonly maxConnections: number;
  readonly idleMs: number;
  readonly stats: SyslogCounters;
  readonly handle: SyslogHandler;
  readonly log: Logger;
}

export interface SyslogTcp {
  /** Close every connection, then the listener. */
  close(): Promise<void>;
}

/** Listening once it resolves; rejects when the port cannot be had. */
export async function listenSyslogTcp(o: SyslogTcpOptions): Promise<SyslogTcp> {
  const { stats, handle } = o;
  const conns = new Set<Socket>();
  const server = createServer((sock) => {
    const peer = sock.remoteAddress?.replace(/^::ffff:/, '') ?? '?';
    if (conns.size >= o.maxConnections) {
      stats.tcp.refused++;
      sock.destroy();
      return;
    }
    stats.tcp.accepted++;
    conns.add(sock);
    stats.tcp.open = conns.size;
    const framer = createFramer(o.maxLine);
    sock.setTimeout(o.idleMs, () => {
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
    o.log.error(
      { code: 'SYSLOG_SOCKET', err: e.message },
      'syslog tcp server error',
    ),
  );
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(
      { port: o.port, host: o.bindAddress ?? '0.0.0.0', exclusive: true },
      () => {
        server.off('error', reject);
        resolve();
      },
    );
  });
  return {
    async close() {
      for (const c of conns) c.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
