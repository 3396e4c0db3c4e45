/**
 * A download worker thread (started by pool.ts): runs the downloads the service thread hands it, each on
 * its own socket, with the same machine and shell as in-thread downloads (download.ts). A file on disk is
 * read here from the descriptor the service thread opened (file-feed.ts); other bytes arrive by message.
 * Either way they go into a chunkQueue, refilled while less than a refill mark is buffered.
 * Counters are sent back as differences: at each transfer's end and every 250 ms.
 */
import { parentPort } from 'node:worker_threads';
import { chunkQueue } from './block-reader.ts';
import { realClock } from './clock.ts';
import { runDownload } from './download.ts';
import { type FileFeed, fileFeed } from './file-feed.ts';
import { bindConnected } from './sockets.ts';
import { emptyStats } from './stats.ts';
import type { Runner } from './transfer.ts';
import type { SendEvent } from './send.ts';
import type { FromWorker, StatsDelta, ToWorker } from './worker-protocol.ts';

/**
 * Ask for (or read) more once less than this is buffered (and at least two windows). Small on purpose: a
 * lock-step phone takes one block per round trip, and a storm runs hundreds of downloads at once, so every
 * byte buffered here is multiplied by the number of transfers.
 */
const REFILL_BYTES = 16 * 1024;
/** The most one read from a file descriptor takes (and at least the refill mark). */
const READ_BYTES = 32 * 1024;

function main(): void {
  const port = parentPort;
  if (!port) throw new Error('tftp worker: not started as a worker thread');
  const post = (m: FromWorker): void => port.postMessage(m);
  const stats = emptyStats();
  const flush = (): void => {
    const delta: StatsDelta = {};
    let any = false;
    for (const k of ['malformed', 'wrongTid', 'duplicates', 'unexpected', 'retransmits', 'bytesSent'] as const) {
      if (stats[k] !== 0) { delta[k] = stats[k]; stats[k] = 0; any = true; }
    }
    if (any) post({ t: 'stats', delta });
  };
  setInterval(flush, 250).unref();

  interface Job {
    readonly queue: ReturnType<typeof chunkQueue>;
    runner: Runner<SendEvent> | undefined;
    /** Asks for more bytes when below the refill mark and no request is outstanding. */
    readonly refill: () => void;
    /** Set when the worker reads the file itself (fromFile). */
    feed: FileFeed | undefined;
    readonly fromFile: boolean;
    readonly low: number;
    /** With a feed: its first file offset, and blocks taken so far. */
    feedStart: number;
    taken: number;
    asked: boolean;
    shutdown: boolean;
    gone: boolean;
  }
  const jobs = new Map<number, Job>();

  function start(m: Extract<ToWorker, { t: 'start' }>): void {
    const { id, spec } = m;
    const low = Math.max(REFILL_BYTES, 2 * (spec.windowsize + 1) * spec.blksize);
    const queue = chunkQueue(spec.blksize);
    const refill = (): void => {
      if (job.fromFile) { job.feed?.pump(); return; }
      if (!job.asked && !queue.ended && !queue.error && queue.buffered < low) { job.asked = true; post({ t: 'more', id }); }
    };
    const job: Job = { queue, runner: undefined, refill, feed: undefined, fromFile: m.fromFile, low, feedStart: 0, taken: 0, asked: false, shutdown: false, gone: false };
    jobs.set(id, job);
    // 'closed' lets the service thread close the file: it is never read after this.
    const release = (): void => {
      if (job.gone) return;
      job.gone = true;
      job.feed?.stop();
      jobs.delete(id);
      post({ t: 'closed', id });
    };
    refill();
    bindConnected(m.peer, m.bindAddress).then(({ socket, stranger }) => {
      job.runner = runDownload({
        socket,
        stranger,
        peer: m.peer,
        clock: realClock,
        stats,
        source: {
          take() {
            // A file feed fills the queue while refill() runs, so a miss is worth a second look.
            const b = queue.take() ?? (refill(), job.fromFile ? queue.take() : undefined);
            if (b !== undefined && job.feed) {
              // The send machine keeps at most windowsize blocks when it asks for one more (send.ts), and
              // every block is copied into its datagram: bytes older than that (and one block more) are free.
              job.taken++;
              job.feed.released(job.feedStart + Math.max(0, job.taken - spec.windowsize - 2) * spec.blksize);
            }
            refill();
            return b;
          },
          get error() { return queue.error; },
          wait: (cb) => queue.wait(cb),
          close: () => queue.close(),
        },
        finish(result, message, bytes) {
          flush();
          post({ t: 'finish', id, result, message, bytes });
        },
        closed: release,
      }, spec);
      if (job.shutdown) job.runner.dispatch({ type: 'shutdown' });
    }, (e: unknown) => {
      post({ t: 'finish', id, result: 'TFTP_IO', message: `transfer socket: ${String(e)}`, bytes: 0 });
      release();
    });
  }

  port.on('message', (m: ToWorker) => {
    if (m.t === 'start') { start(m); return; }
    const job = jobs.get(m.id);
    if (!job) return;
    switch (m.t) {
      case 'chunk':
        job.asked = false;
        if (m.data.byteLength > 0) job.queue.push(new Uint8Array(m.data));
        if (m.end) job.queue.end();
        else job.refill();
        break;
      case 'file':
        if (job.feed || job.gone) break;
        job.feedStart = m.start;
        job.feed = fileFeed(job.queue, m, { chunk: Math.max(READ_BYTES, job.low), low: job.low });
        job.feed.pump();
        break;
      case 'fail':
        job.queue.fail(new Error(m.message));
        break;
      case 'shutdown':
        job.shutdown = true;
        job.runner?.dispatch({ type: 'shutdown' });
        break;
    }
  });
  post({ t: 'ready' });
}

main();
