/**
 * Cuts bytes into TFTP blocks of exactly blksize bytes; the last block is shorter (possibly empty).
 *
 * A BlockSource answers synchronously when a block is buffered (the hot path: no promise per block) and
 * calls back once when it cannot. Blocks are views into the chunks that came in (no copy) unless a block
 * straddles two chunks. chunkQueue() is pushed to; blockReader() feeds one by pulling from a Readable (byte streams and object-mode streams of Buffers or strings alike),
 * holding only the stream's own buffer, never the whole file.
 */
import type { Readable } from 'node:stream';

export interface BlockSource {
  /** The next block if one is ready; undefined: not yet (call wait) or failed (see error). */
  take(): Uint8Array | undefined;
  /** Set once the source failed; take() then answers undefined. */
  readonly error: Error | undefined;
  /** Calls cb once, when take() may answer differently (more data, the end, or a failure). */
  wait(cb: () => void): void;
  close(): void;
}

export interface ChunkQueue extends BlockSource {
  push(chunk: Uint8Array): void;
  end(): void;
  fail(e: Error): void;
  /** Bytes buffered and not yet taken. */
  readonly buffered: number;
  readonly ended: boolean;
}

export function chunkQueue(
  blksize: number,
  onClose: () => void = () => {},
): ChunkQueue {
  const chunks: Uint8Array[] = [];
  let off = 0; // read offset into chunks[0]
  let buffered = 0;
  let ended = false;
  let error: Error | undefined;
  let waiter: (() => void) | undefined;
  const poke = (): void => {
    const w = waiter;
    waiter = undefined;
    w?.();
  };

  const cut = (n: number): Uint8Array => {
    buffered -= n;
    const first = chunks[0];
    if (first === undefined) return new Uint8Array(0);
    if (first.length - off >= n) {
      const b = first.subarray(off, off + n);
      off += n;
      if (off === first.length) {
        chunks.shift();
        off = 0;
      }
      return b;
    }
    const out = new Uint8Array(n);
    let filled = 0;
    while (filled < n) {
      const c = chunks[0]!;
      const m = Math.min(c.length - off, n - filled);
      out.set(c.subarray(off, off + m), filled);
      filled += m;
      off += m;
      if (off === c.length) {
        chunks.shift();
        off = 0;
      }
    }
    return out;
  };

  return {
    take() {
      if (error) return undefined;
      if (buffered >= blksize) return cut(blksize);
      return ended ? cut(buffered) : undefined;
    },
    get error() {
      return error;
    },
    wait(cb) {
      waiter = cb;
    },
    close() {
      chunks.length = 0;
      buffered = 0;
      waiter = undefined;
      onClose();
    },
    push(chunk) {
      if (ended || error || chunk.length === 0) return;
      chunks.push(chunk);
      buffered += chunk.length;
      if (buffered >= blksize) poke();
    },
    end() {
      ended = true;
      poke();
    },
    fail(e) {
      error ??= e;
      poke();
    },
    get buffered() {
      return buffered;
    },
    get ended() {
      return ended;
    },
  };
}

/** A BlockSource pulling from a stream, with an async next() for callers off the hot path. */
export function blockReader(
  stream: Readable,
  blksize: number,
): BlockSource & { next(): Promise<Uint8Array> } {
  const q = chunkQueue(blksize, () => stream.destroy());
  const pull = (): void => {
    for (;;) {
      if (q.buffered >= blksize) return;
      const c: unknown = stream.read();
      if (c === null) return;
      q.push(typeof c === 'string' ? Buffer.from(c) : (c as Uint8Array));
    }
  };
  let done = false;
  stream.on('readable', pull);
  stream.on('end', () => {
    done = true;
    q.end();
  });
  stream.on('error', (e: Error) => q.fail(e));
  stream.on('close', () => {
    if (!done && !stream.readableEnded)
      q.fail(new Error('stream closed early'));
  });

  const source: BlockSource = {
    take() {
      const b = q.take();
      if (q.buffered < blksize && !q.ended) pull();
      if (b !== undefined || q.error) return b;
      pull();
      return q.take();
    },
    get error() {
      return q.error;
    },
    wait: (cb) => q.wait(cb),
    close: () => q.close(),
  };
  return {
    ...source,
    get error() {
      return q.error;
    },
    next() {
      return new Promise((resolve, reject) => {
        const attempt = (): void => {
          const b = source.take();
          if (b !== undefined) resolve(b);
          else if (q.error) reject(q.error);
          else q.wait(attempt);
        };
        attempt();
      });
    },
  };
}
