/**
 * Feeds a chunkQueue from an open file descriptor, a little at a time: a read only while less than `low`
 * bytes are buffered, each into a fresh buffer of at most `chunk` bytes. A download therefore holds at most
 * low + chunk bytes, whatever the file's size (a phone in lock-step takes one block per round trip; memory
 * grows with the number of concurrent transfers, not with read-ahead).
 *
 * Reads are synchronous, on the worker thread that sends the blocks: from the page cache a 32 KiB read takes
 * microseconds, while an asynchronous read waits in libuv's shared thread pool behind the uploads' fsyncs
 * (measured: a 300-phone storm took 31 s instead of 19 s with fs.read). pump() may therefore fill the queue
 * (or end it) before it returns: callers take() again after pumping.
 *
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
  /** No more reads: the owner may close the descriptor. */
  stop(): void;
}

export function fileFeed(queue: ChunkQueue, span: FileSpan, opts: { readonly chunk: number; readonly low: number }): FileFeed {
  let pos = span.start;
  let stopped = false;
  return {
    pump() {
      if (stopped || queue.ended || queue.error || queue.buffered >= opts.low) return;
      const len = Math.min(opts.chunk, span.end - pos + 1);
      if (!(len > 0)) { queue.end(); return; }
      const buf = Buffer.allocUnsafeSlow(len);
      let n: number;
      try { n = readSync(span.fd, buf, 0, len, pos); } catch (e) { queue.fail(e as Error); return; }
      if (n === 0) { queue.end(); return; } // the file ended early (it shrank): what is there is served
      pos += n;
      queue.push(n === len ? buf : buf.subarray(0, n));
      if (pos > span.end) queue.end();
    },
    stop() { stopped = true; },
  };
}
