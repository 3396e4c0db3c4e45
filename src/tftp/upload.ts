/**
 * One upload (an accepted WRQ): tree.checkWrite / beginUpload, then the receive machine (machine/receive.ts)
 * on the transfer's socket, streaming into the tree's Upload. Refusals by the tree become ERROR packets
 * (tree-errors.ts); the may-write rule and path safety are the tree's alone.
 */
import type { Upload, WriterContext } from '../tree/types.ts';
import {
  type AcceptedRequest,
  refuse,
  type TransferHandle,
} from './accepted.ts';
import type { ReceiveEvent } from './machine/machine.ts';
import { initialReceive, stepReceive } from './machine/receive.ts';
import { type Runner, runTransfer } from './transfer.ts';
import { refusalFor } from './tree-errors.ts';

export async function startUpload(
  a: AcceptedRequest,
  wctx: WriterContext,
): Promise<TransferHandle | undefined> {
  const socket = await a.bind();
  if (!socket) return undefined;
  const { filename, negotiated: n } = a;
  const checked = a.tree.checkWrite(filename, wctx);
  const begun = checked.ok
    ? await a.tree.beginUpload(filename, wctx).catch((e: unknown) => ({
        ok: false as const,
        error: { code: 'TREE_IO' as const, message: String(e) },
      }))
    : checked;
  if (!begun.ok) {
    const r = refusalFor(begun.error);
    refuse(a, socket, r.code, r.message, r.result);
    return undefined;
  }
  const upload: Upload = begun.value;
  let chain: Promise<void> = Promise.resolve();
  let failed = false;
  let committed = false;
  const ioError = (e: {
    code: Parameters<typeof refusalFor>[0]['code'];
    message: string;
  }): void => {
    failed = true;
    const r = refusalFor(e);
    runner.dispatch({
      type: 'ioError',
      code: r.code,
      result: r.result,
      message: r.message,
    });
  };
  const thrown = (e: unknown): void =>
    ioError({ code: 'TREE_IO', message: String(e) });
  const detail = { path: upload.target.path, mac: upload.target.mac };
  const runner: Runner<ReceiveEvent> = runTransfer({
    socket,
    peer: a.peer,
    clock: a.clock,
    stats: a.stats,
    lifetimeMs: a.lifetimeMs,
    step: stepReceive,
    initial: initialReceive({
      blksize: n.blksize,
      windowsize: n.windowsize,
      oack: n.oack.length > 0 ? n.oack : undefined,
      retry: a.retry,
    }),
    timeoutEvent: { type: 'timeout' },
    expiredEvent: { type: 'expired' },
    toEvent: (p) =>
      p.op === 'data'
        ? { type: 'data', block: p.block, data: p.data }
        : p.op === 'error'
          ? { type: 'peerError', code: p.code, message: p.message }
          : undefined,
    effects: {
      write(data) {
        // Copy: the datagram buffer is reused by nobody, but the write may outlive this tick.
        const copy = Buffer.from(data);
        chain = chain
          .then(async () => {
            if (failed) return;
            const r = await upload.write(copy);
            if (r.ok) runner.dispatch({ type: 'written' });
            else ioError(r.error);
          })
          .catch(thrown);
      },
      commit() {
        chain = chain
          .then(async () => {
            if (failed) return;
            const r = await upload.commit();
            if (r.ok) {
              committed = true;
              runner.dispatch({ type: 'committed' });
            } else ioError(r.error);
          })
          .catch(thrown);
      },
      finish(result, message, bytes) {
        if (result !== 'ok')
          chain = chain
            .then(() => (committed ? undefined : upload.abort()))
            .catch(() => undefined);
        a.finish(result, message, bytes, detail);
      },
      closed: a.closed,
    },
  });
  runner.dispatch({ type: 'start' });
  return { shutdown: () => runner.dispatch({ type: 'shutdown' }) };
}
