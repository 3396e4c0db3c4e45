/**
 * One download (an accepted RRQ) on its own socket: the send machine (send.ts) wired to a BlockSource, the
 * socket shell (transfer.ts) and the outcome callbacks. It runs in the service's thread (session.ts, blocks from the tree's stream): with an injected clock, with
 * `engine: 'js'`, or when the native engine (native/engine.c, same rules) cannot be built.
 */
import type { Socket } from 'node:dgram';
import type { BlockSource } from './block-reader.ts';
import type { Clock } from './clock.ts';
import type { RetryPolicy } from './machine.ts';
import { ERR_UNDEFINED, type TftpOption } from './packet.ts';
import { type SendEvent, initialSend, stepSend } from './send.ts';
import type { TftpStats } from './stats.ts';
import { type Peer, type Runner, runTransfer } from './transfer.ts';

export interface DownloadSpec {
  readonly blksize: number;
  readonly windowsize: number;
  /** OACK to send first (undefined or empty: none). */
  readonly oack: readonly TftpOption[] | undefined;
  readonly retry: RetryPolicy;
}

export interface DownloadContext {
  readonly socket: Socket;
  readonly peer: Peer;
  readonly clock: Clock;
  readonly stats: TftpStats;
  readonly source: BlockSource;
  readonly finish: (result: string, message: string, bytes: number) => void;
  /** Socket and timer released (the source is closed too). */
  readonly closed: () => void;
}

export function runDownload(ctx: DownloadContext, spec: DownloadSpec): Runner<SendEvent> {
  const { source } = ctx;
  const read = (): void => {
    const data = source.take();
    if (data !== undefined) runner.dispatch({ type: 'block', data });
    else if (source.error) runner.dispatch({ type: 'readError', code: ERR_UNDEFINED, result: 'TREE_IO', message: `read failed: ${source.error.message}` });
    else source.wait(read);
  };
  const runner: Runner<SendEvent> = runTransfer({
    socket: ctx.socket,
    peer: ctx.peer,
    clock: ctx.clock,
    stats: ctx.stats,
    step: stepSend,
    initial: initialSend({ blksize: spec.blksize, windowsize: spec.windowsize, oack: spec.oack && spec.oack.length > 0 ? spec.oack : undefined, retry: spec.retry }),
    timeoutEvent: { type: 'timeout' },
    toEvent: (p) => (p.op === 'ack' ? { type: 'ack', block: p.block } : p.op === 'error' ? { type: 'peerError', code: p.code, message: p.message } : undefined),
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
