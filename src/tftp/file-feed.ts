/**
 * Feeds a chunkQueue from an open file descriptor, a little at a time: a read only while less than `low`
 * bytes are buffered, each of at most `chunk` bytes. A download therefore holds at most low + chunk bytes
 * ahead, whatever the file's size (a phone in lock-step takes one block per round trip; memory grows with
 * the number of concurrent transfers, not with read-ahead).
 *
 * Buffers are recycled: once the caller says (released) that no block before a file offset is referenced
 * any more, the chunks wholly before it are read into again. Without that, every chunk becomes garbage
 * that outlives the young generation, and a worker's malloc arena grew by tens of MB between full
 * collections (measured in a 300-phone storm: two worker arenas of 44 and 52 MB resident).
 *
 * Reads are synchronous, on the worker thread that sends the blocks: from the page cache a 32 KiB read takes
 * microseconds, it never waits in libuv's shared thread pool behind other work (the uploads' fsyncs), and no
 * read is ever in flight when the transfer ends (asynchronous reads measured the same in a 300-phone storm).
 * pump() may therefore fill the queue (or end it) before it returns: callers take() again after pumping.
 * The descriptor belongs to whoever opened it; after stop() it is never read again.
 */
import { readSync } from 'node:fs';
import type { ChunkQueue } from './block-reader.ts';

export interface FileSpan {
  readonly fd: number;
  /** First byte to read. */
  readonly start: number;
  /** Last byte to read (inclusive); Infinity: until the file ends. */
  readonly end: number;
}

export interface FileFeed {
  /** Reads one chunk if the queue is below the low mark. */
  pump(): void;
  /** Nothing read before file offset `pos` is referenced any more: its buffers may be read into again. */
  released(pos: number): void;
  /** No more reads: the owner may close the descriptor. */
  stop(): void;
}

/** Spare buffers kept per feed (more would only sit idle: one read needs one buffer). */
const SPARES = 2;

export function fileFeed(queue: ChunkQueue, span: FileSpan, opts: { readonly chunk: number; readonly low: number }): FileFeed {
  let pos = span.start;
  let stopped = false;
  let freeBefore = span.start;
  /** Chunks handed out, oldest first, with the file offset just past each. */
  const out: { readonly buf: Buffer; readonly end: number }[] = [];
  const spare: Buffer[] = [];
  const reclaim = (): void => {
    while (out.length > 0 && out[0]!.end <= freeBefore) {
      const { buf } = out.shift()!;
      if (spare.length < SPARES && buf.length === opts.chunk) spare.push(buf);
    }
  };
  return {
    pump() {
      if (stopped || queue.ended || queue.error || queue.buffered >= opts.low) return;
      const len = Math.min(opts.chunk, span.end - pos + 1);
      if (!(len > 0)) { queue.end(); return; }
      reclaim();
      const buf = spare.pop() ?? Buffer.allocUnsafeSlow(opts.chunk);
      let n: number;
      try { n = readSync(span.fd, buf, 0, len, pos); } catch (e) { queue.fail(e as Error); return; }
      if (n === 0) { queue.end(); return; } // the file ended early (it shrank): what is there is served
      pos += n;
      out.push({ buf, end: pos });
      queue.push(n === buf.length ? buf : buf.subarray(0, n));
      if (pos > span.end) queue.end();
    },
    released(p) { if (p > freeBefore) freeBefore = p; },
    stop() { stopped = true; out.length = 0; spare.length = 0; },
  };
}
