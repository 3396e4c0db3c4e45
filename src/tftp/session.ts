/**
 * Starting one transfer once its socket is bound: a download (RRQ) reads the file through tree.open as a
 * stream; an upload (WRQ) goes through tree.checkWrite / beginUpload and streams into the Upload. Refusals by
 * the tree become ERROR packets (tree-errors.ts); the may-write rule and path safety are the tree's alone.
 */
import type { Socket } from 'node:dgram';
import type { Readable } from 'node:stream';
import type { FileInfo, FileTree, Upload, WriterContext } from '../tree/types.ts';
import type { Mac } from '../shared/mac.ts';
import { blockReader } from './block-reader.ts';
import { runDownload } from './download.ts';
import type { Clock } from './clock.ts';
import type { RetryPolicy } from './machine.ts';
import { type Negotiated, oackWithSize } from './negotiate.ts';
import { ERR_UNDEFINED, encodeError } from './packet.ts';
import { type ReceiveEvent, initialReceive, stepReceive } from './receive.ts';
import type { TftpStats } from './stats.ts';
import { refusalFor } from './tree-errors.ts';
import { type Peer, type Runner, runTransfer } from './transfer.ts';

export interface SessionContext {
  readonly socket: Socket;
  readonly peer: Peer;
  readonly clock: Clock;
  readonly stats: TftpStats;
  readonly retry: RetryPolicy;
  readonly tree: FileTree;
  /** Called exactly once with the outcome; path/mac refine what the event reports. */
  readonly finish: (result: string, message: string, bytes: number, detail?: { path?: string; mac?: Mac | undefined }) => void;
  /** Called once when the socket is released. */
  readonly closed: () => void;
}

export interface Session { shutdown(): void }

/** Refuse before any transfer began: one ERROR from the transfer's TID, then release everything. */
export function refuse(ctx: SessionContext, code: number, message: string, result: string): void {
  ctx.socket.send(encodeError(code, message), ctx.peer.port, ctx.peer.address, () => {
    try { ctx.socket.close(); } catch { /* closed */ }
  });
  ctx.finish(result, message, 0);
  ctx.closed();
}

/** tree.open for a download, a thrown error turned into TREE_IO (both download paths: here and the engine's). */
export function openForDownload(tree: FileTree, filename: string): ReturnType<FileTree['open']> {
  return tree.open(filename).catch((e: unknown) => ({ ok: false as const, error: { code: 'TREE_IO' as const, message: String(e) } }));
}

export async function startDownload(ctx: SessionContext, filename: string, n: Negotiated): Promise<Session | undefined> {
  const opened = await openForDownload(ctx.tree, filename);
  if (!opened.ok) {
    const r = refusalFor(opened.error);
    refuse(ctx, r.code, r.message, r.result);
    return undefined;
  }
  return startDownloadOpened(ctx, opened.value.info, opened.value.stream, n);
}

/** A download of a file the tree has already opened, served in this thread. */
function startDownloadOpened(ctx: SessionContext, info: FileInfo, stream: Readable, n: Negotiated): Session {
  const oack = n.oack.length > 0 ? oackWithSize(n, info.size) : undefined;
  const runner = runDownload({
    socket: ctx.socket,
    peer: ctx.peer,
    clock: ctx.clock,
    stats: ctx.stats,
    source: blockReader(stream, n.blksize),
    finish: (result, message, bytes) => ctx.finish(result, message, bytes, { path: info.path }),
    closed: ctx.closed,
  }, { blksize: n.blksize, windowsize: n.windowsize, oack, retry: ctx.retry });
  return { shutdown: () => runner.dispatch({ type: 'shutdown' }) };
}

export async function startUpload(ctx: SessionContext, filename: string, n: Negotiated, wctx: WriterContext): Promise<Session | undefined> {
  const checked = ctx.tree.checkWrite(filename, wctx);
  const begun = checked.ok
    ? await ctx.tree.beginUpload(filename, wctx).catch((e: unknown) => ({ ok: false as const, error: { code: 'TREE_IO' as const, message: String(e) } }))
    : checked;
  if (!begun.ok) {
    const r = refusalFor(begun.error);
    refuse(ctx, r.code, r.message, r.result);
    return undefined;
  }
  const upload: Upload = begun.value;
  let chain: Promise<void> = Promise.resolve();
  let failed = false;
  let committed = false;
  const ioError = (e: { code: Parameters<typeof refusalFor>[0]['code']; message: string }): void => {
    failed = true;
    const r = refusalFor(e);
    runner.dispatch({ type: 'ioError', code: r.code, result: r.result, message: r.message });
  };
  const thrown = (e: unknown): void => ioError({ code: 'TREE_IO', message: String(e) });
  const detail = { path: upload.target.path, mac: upload.target.mac };
  const runner: Runner<ReceiveEvent> = runTransfer({
    socket: ctx.socket,
    peer: ctx.peer,
    clock: ctx.clock,
    stats: ctx.stats,
    step: stepReceive,
    initial: initialReceive({ blksize: n.blksize, windowsize: n.windowsize, oack: n.oack.length > 0 ? n.oack : undefined, retry: ctx.retry }),
    timeoutEvent: { type: 'timeout' },
    toEvent: (p) => (p.op === 'data' ? { type: 'data', block: p.block, data: p.data } : p.op === 'error' ? { type: 'peerError', code: p.code, message: p.message } : undefined),
    effects: {
      write(data) {
        // Copy: the datagram buffer is reused by nobody, but the write may outlive this tick.
        const copy = Buffer.from(data);
        chain = chain.then(async () => {
          if (failed) return;
          const r = await upload.write(copy);
          if (r.ok) runner.dispatch({ type: 'written' }); else ioError(r.error);
        }).catch(thrown);
      },
      commit() {
        chain = chain.then(async () => {
          if (failed) return;
          const r = await upload.commit();
          if (r.ok) { committed = true; runner.dispatch({ type: 'committed' }); } else ioError(r.error);
        }).catch(thrown);
      },
      finish(result, message, bytes) {
        if (result !== 'ok') chain = chain.then(() => (committed ? undefined : upload.abort())).catch(() => undefined);
        ctx.finish(result, message, bytes, detail);
      },
      closed: ctx.closed,
    },
  });
  runner.dispatch({ type: 'start' });
  return { shutdown: () => runner.dispatch({ type: 'shutdown' }) };
}
