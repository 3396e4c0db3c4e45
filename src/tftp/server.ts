/**
 * The TFTP service: a UDP socket on the configured port takes RRQ/WRQ; each accepted request gets its own
 * socket (a fresh TID) and a state machine (session.ts). Settings are read from the current model on every
 * request, so a hot reload changes maxBlksize and maxTransfers for the next transfer.
 */
import { createSocket, type Socket } from 'node:dgram';
import { bindSocket } from './sockets.ts';
import type { Service } from '../shared/service.ts';
import type { ServiceDeps } from '../runtime/deps.ts';
import { macFromFileName, type Mac } from '../shared/mac.ts';
import { type Clock, realClock } from './clock.ts';
import { DEFAULT_RETRY, type RetryPolicy } from './machine.ts';
import { negotiate } from './negotiate.ts';
import { ERR_ILLEGAL_OP, ERR_UNDEFINED, type TftpPacket, decode, encodeError } from './packet.ts';
import { type Session, type SessionContext, openForDownload, refuse, startDownload, startUpload } from './session.ts';
import { type NativeDownloads, createNativeDownloads, loadEngineAddon } from './native/engine.ts';
import { oackWithSize } from './negotiate.ts';
import { refusalFor } from './tree-errors.ts';
import { type TftpStats, emptyStats } from './stats.ts';
import type { Peer } from './transfer.ts';

export type { TftpStats } from './stats.ts';

export interface TftpServerOptions {
  /** Overrides services.tftp.port (0 = any free port). */
  readonly port?: number;
  readonly clock?: Clock;
  readonly retry?: Partial<RetryPolicy>;
  /**
   * Who runs downloads once accepted: 'native' (default) the engine threads of native/engine.c; 'js' the
   * send machine (send.ts) in this thread, as always with an injected clock (the engine keeps real time),
   * and as a fallback when the engine cannot be built (logged). Uploads always run here.
   */
  readonly engine?: 'native' | 'js';
}

export interface TftpService extends Service {
  stats(): TftpStats;
  /** The port actually bound. */
  readonly port: number;
}

const MODES = new Set(['octet', 'netascii', 'mail']);

export async function startTftpServer(deps: ServiceDeps & TftpServerOptions): Promise<TftpService> {
  const clock = deps.clock ?? realClock;
  const retry: RetryPolicy = { ...DEFAULT_RETRY, ...deps.retry };
  const stats = emptyStats();
  const sessions = new Map<string, Session | undefined>();
  const log = deps.log.child({ svc: 'tftp' });
  let closing = false;
  let engine: NativeDownloads | undefined;
  if (!deps.clock && (deps.engine ?? 'native') === 'native') {
    const addon = loadEngineAddon();
    if (addon.ok) engine = createNativeDownloads(addon.value, stats);
    else log.warn({ err: addon.error }, 'tftp: native download engine unavailable, downloads run in the service thread');
  }

  const main = createSocket({ type: 'udp4', reuseAddr: false });
  main.on('error', (e) => log.error({ err: e.message }, 'tftp socket error'));
  try {
    await bindSocket(main, deps.port ?? deps.model.current().services.tftp.port, deps.bindAddress);
  } catch (e) {
    engine?.close();
    try { main.close(); } catch { /* never bound */ }
    throw e;
  }
  const port = main.address().port;

  function accept(req: Extract<TftpPacket, { op: 'rrq' | 'wrq' }>, peer: Peer): void {
    const key = `${peer.address}:${peer.port}`;
    if (sessions.has(key)) { stats.duplicates++; return; } // a repeated request while its transfer runs
    const cfg = deps.model.current().services.tftp;
    const direction = req.op === 'rrq' ? 'download' : 'upload';
    const started = clock.now();
    let path = req.filename;
    const leaseMac = deps.leases.macForAddress(peer.address);
    const report = (result: string, message: string, bytes: number, detail?: { path?: string; mac?: Mac | undefined }): void => {
      if (detail?.path !== undefined) path = detail.path;
      const mac = detail?.mac ?? leaseMac ?? macFromFileName(path);
      if (result === 'ok') stats.completed++; else stats.failed++;
      const durationMs = Math.round(clock.now() - started);
      deps.events.emit({ type: 'transfer', protocol: 'tftp', direction, peer: peer.address, mac, path, bytes, durationMs, result });
      log.info({ event: 'transfer', direction, peer: key, mac, path, bytes, durationMs, result, ...(result === 'ok' ? {} : { message }) }, 'tftp transfer');
    };
    const mode = req.mode.toLowerCase();
    if (!MODES.has(mode) || mode === 'mail') {
      main.send(encodeError(ERR_ILLEGAL_OP, `unsupported mode "${req.mode}"`), peer.port, peer.address);
      report('TFTP_BAD_MODE', `mode ${req.mode}`, 0);
      return;
    }
    if (mode === 'netascii') {
      main.send(encodeError(ERR_UNDEFINED, 'netascii mode is not supported: use octet (binary) mode'), peer.port, peer.address);
      report('TFTP_BAD_MODE', 'netascii refused', 0);
      return;
    }
    if (stats.active >= cfg.maxTransfers) {
      stats.busy++;
      main.send(encodeError(ERR_UNDEFINED, `server busy: ${stats.active} transfers in progress, retry later`), peer.port, peer.address);
      report('TFTP_BUSY', 'too many transfers', 0);
      return;
    }
    stats.requests++;
    stats.active++;
    stats.peakActive = Math.max(stats.peakActive, stats.active);
    sessions.set(key, undefined);
    const n = negotiate(req.op, req.options, { maxBlksize: cfg.maxBlksize });
    // RFC 2349: a negotiated timeout is this transfer's retransmission interval (backoff still applies).
    const tRetry: RetryPolicy = n.timeoutMs === undefined ? retry : { ...retry, initialMs: n.timeoutMs, maxMs: Math.max(retry.maxMs, n.timeoutMs) };
    let released = false;
    const closed = (): void => {
      if (released) return;
      released = true;
      stats.active--;
      sessions.delete(key);
    };
    const tree = deps.tree.current();
    // The transfer's own socket (its TID), bound here for in-thread transfers and for refusals; a download the
    // engine runs never needs one (the engine binds its own).
    let socket: Socket | undefined;
    const bound = async (): Promise<SessionContext> => {
      socket = createSocket('udp4');
      await bindSocket(socket, 0, deps.bindAddress);
      return { socket, peer, clock, stats, retry: tRetry, tree, finish: report, closed };
    };
    const keep = (session: Session | undefined): void => {
      if (session && !released) {
        sessions.set(key, session);
        if (closing) session.shutdown();
      }
    };
    const setupFailed = (e: unknown): void => {
      log.error({ err: String(e), peer: key }, 'tftp transfer setup failed');
      try { socket?.close(); } catch { /* closed */ }
      if (!released) { report('TFTP_IO', String(e), 0); closed(); }
    };
    if (req.op === 'rrq' && engine) {
      // Downloads run in the engine's threads, which bind their own sockets; one is bound here only to refuse.
      openForDownload(tree, req.filename).then(async (opened) => {
        const refuseWith = async (code: number, message: string, result: string): Promise<void> => refuse(await bound(), code, message, result);
        if (closing) { if (opened.ok) opened.value.stream.destroy(); await refuseWith(ERR_UNDEFINED, 'server shutting down', 'TFTP_SHUTDOWN'); return; }
        if (!opened.ok) { const r = refusalFor(opened.error); await refuseWith(r.code, r.message, r.result); return; }
        const { info, stream } = opened.value;
        const oack = n.oack.length > 0 ? oackWithSize(n, info.size) : undefined;
        const session = engine.start({
          peer, bindAddress: deps.bindAddress, stream,
          spec: { blksize: n.blksize, windowsize: n.windowsize, oack, retry: tRetry },
          finish: (result, message, bytes) => report(result, message, bytes, { path: info.path }),
          closed,
        });
        keep(session);
      }).catch(setupFailed);
      return;
    }
    bound().then(async (ctx) => {
      if (closing) { refuse(ctx, ERR_UNDEFINED, 'server shutting down', 'TFTP_SHUTDOWN'); return; }
      keep(req.op === 'rrq'
        ? await startDownload(ctx, req.filename, n)
        : await startUpload(ctx, req.filename, n, { protocol: 'tftp', peer: peer.address, mac: leaseMac, declaredSize: n.tsize }));
    }).catch(setupFailed);
  }

  main.on('message', (msg, rinfo) => {
    if (closing) return;
    // Source port 0 cannot be answered (dgram.send throws on port 0): drop it as malformed.
    if (rinfo.port === 0) { stats.malformed++; return; }
    const p = decode(msg);
    if (!p.ok) { stats.malformed++; return; }
    const peer = { address: rinfo.address, port: rinfo.port };
    if (p.value.op === 'rrq' || p.value.op === 'wrq') accept(p.value, peer);
    else stats.unexpected++;
  });

  log.info({ port, bind: deps.bindAddress ?? '0.0.0.0' }, 'tftp listening');

  return {
    name: 'tftp',
    port,
    stats: () => { engine?.syncStats(); return { ...stats }; },
    async close() {
      if (closing) return;
      closing = true;
      await new Promise<void>((resolve) => main.close(() => resolve()));
      for (const s of sessions.values()) s?.shutdown();
      // Sessions still binding finish on their own (they see `closing`); wait briefly for them.
      const until = clock.now() + 2000;
      while (sessions.size > 0 && clock.now() < until) await new Promise((r) => setTimeout(r, 10));
      engine?.close();
    },
  };
}
