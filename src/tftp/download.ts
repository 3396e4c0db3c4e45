/**
 * One download (an accepted RRQ). The file is opened through tree.open; then either the native engine runs
 * the data phase in its own threads on its own sockets (native/engine.ts, the default), or the send machine
 * (machine/send.ts) runs here on the transfer's socket (runTransfer), blocks cut from the tree's stream: with
 * an injected clock, with `engine: 'js'`, or when the engine cannot be built. Both follow the same rules
 * (machine/send.case.test.ts runs one suite against both). Refusals by the tree become ERROR packets.
 */
import type { FileInfo, FileTree } from '../tree/types.ts';
import {
  type AcceptedRequest,
  refuse,
  type TransferHandle,
} from './accepted.ts';
import { type BlockSource, blockReader } from './block-reader.ts';
import { oackWithSize } from './codec/negotiate.ts';
import { ERR_UNDEFINED, type TftpOption } from './codec/packet.ts';
import type { SendEvent, TransferConfig } from './machine/machine.ts';
import { initialSend, stepSend } from './machine/send.ts';
import type { NativeDownloads } from './native/engine.ts';
import { type Runner, runTransfer, type TransferPlace } from './transfer.ts';
import { refusalFor } from './tree-errors.ts';

export interface DownloadContext extends TransferPlace {
  readonly source: BlockSource;
  readonly finish: (result: string, message: string, bytes: number) => void;
  /** Socket and timer released (the source is closed too). */
  readonly closed: () => void;
}

/** The send machine on a bound socket, reading from `source`. */
export function runDownload(
  ctx: DownloadContext,
  spec: TransferConfig,
): Runner<SendEvent> {
  const { source } = ctx;
  const read = (): void => {
    const data = source.take();
    if (data !== undefined) runner.dispatch({ type: 'block', data });
    else if (source.error)
      runner.dispatch({
        type: 'readError',
        code: ERR_UNDEFINED,
        result: 'TREE_IO',
        message: `read failed: ${source.error.message}`,
      });
    else source.wait(read);
  };
  const runner: Runner<SendEvent> = runTransfer({
    socket: ctx.socket,
    peer: ctx.peer,
    clock: ctx.clock,
    stats: ctx.stats,
    lifetimeMs: ctx.lifetimeMs,
    step: stepSend,
    initial: initialSend({
      blksize: spec.blksize,
      windowsize: spec.windowsize,
      oack: spec.oack && spec.oack.length > 0 ? spec.oack : undefined,
      retry: spec.retry,
    }),
    timeoutEvent: { type: 'timeout' },
    expiredEvent: { type: 'expired' },
    toEvent: (p) =>
      p.op === 'ack'
        ? { type: 'ack', block: p.block }
        : p.op === 'error'
          ? { type: 'peerError', code: p.code, message: p.message }
          : undefined,
    sendSlots: spec.windowsize + 1,
    effects: {
      read,
      finish: ctx.finish,
      closed() {
        source.close();
        ctx.closed();
      },
    },
  });
  runner.dispatch({ type: 'start' });
  return runner;
}

/** tree.open for a download (as the asking phone), a thrown error turned into TREE_IO. */
function openForDownload(a: AcceptedRequest): ReturnType<FileTree['open']> {
  return a.tree.open(a.filename, { who: a.who }).catch((e: unknown) => ({
    ok: false as const,
    error: { code: 'TREE_IO' as const, message: String(e) },
  }));
}

/** The machine's settings for this request; the OACK carries the real size when tsize was asked for. */
function sendConfig(a: AcceptedRequest, size: number): TransferConfig {
  const n = a.negotiated;
  const oack: readonly TftpOption[] | undefined =
    n.oack.length > 0 ? oackWithSize(n, size) : undefined;
  return { blksize: n.blksize, windowsize: n.windowsize, oack, retry: a.retry };
}

/** Starts the download: in the engine when there is one, else in this thread. */
export function startDownload(
  a: AcceptedRequest,
  engine: NativeDownloads | undefined,
  bindAddress: string | undefined,
): Promise<TransferHandle | undefined> {
  return engine
    ? downloadInEngine(a, engine, bindAddress)
    : downloadInThread(a);
}

/** The outcome with what the tree said of the file (its normalized path, the release that answered). */
const finishOf =
  (a: AcceptedRequest, info: FileInfo) =>
  (result: string, message: string, bytes: number): void =>
    a.finish(result, message, bytes, {
      path: info.path,
      release: info.release,
    });

async function downloadInThread(
  a: AcceptedRequest,
): Promise<TransferHandle | undefined> {
  const socket = await a.bind();
  if (!socket) return undefined;
  const opened = await openForDownload(a);
  if (!opened.ok) {
    const r = refusalFor(opened.error);
    refuse(a, socket, r.code, r.message, r.result);
    return undefined;
  }
  const { info, stream } = opened.value;
  const runner = runDownload(
    {
      socket,
      peer: a.peer,
      clock: a.clock,
      stats: a.stats,
      lifetimeMs: a.lifetimeMs,
      source: blockReader(stream, a.negotiated.blksize),
      finish: finishOf(a, info),
      closed: a.closed,
    },
    sendConfig(a, info.size),
  );
  return { shutdown: () => runner.dispatch({ type: 'shutdown' }) };
}

/** The engine binds its own sockets; one is bound here only to refuse. */
async function downloadInEngine(
  a: AcceptedRequest,
  engine: NativeDownloads,
  bindAddress: string | undefined,
): Promise<TransferHandle | undefined> {
  const opened = await openForDownload(a);
  if (a.closing()) {
    if (opened.ok) opened.value.stream.destroy();
    await a.bind(); // refuses: the server is closing
    return undefined;
  }
  if (!opened.ok) {
    const socket = await a.bind();
    const r = refusalFor(opened.error);
    if (socket) refuse(a, socket, r.code, r.message, r.result);
    return undefined;
  }
  const { info, stream } = opened.value;
  return engine.start({
    peer: a.peer,
    bindAddress,
    stream,
    spec: sendConfig(a, info.size),
    lifetimeMs: a.lifetimeMs,
    finish: finishOf(a, info),
    closed: a.closed,
  });
}
