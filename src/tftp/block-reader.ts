/**
 * Cuts a byte stream into TFTP blocks of exactly blksize bytes; the last block is shorter (possibly empty).
 * Only the stream's own buffer (about 64 KB) is held, never the whole file. Works with byte streams and with
 * object-mode streams of Buffers or strings (Readable.from(buffer)).
 */
import type { Readable } from 'node:stream';

export interface BlockReader {
  /** The next block; shorter than blksize means end of file. Rejects on a stream error. */
  next(): Promise<Buffer>;
  close(): void;
}

export function blockReader(stream: Readable, blksize: number): BlockReader {
  const chunks: Buffer[] = [];
  let buffered = 0;
  let ended = false;
  let failure: Error | undefined;
  let wake: (() => void) | undefined;
  const poke = (): void => {
    const w = wake;
    wake = undefined;
    w?.();
  };
  stream.on('readable', poke);
  stream.on('end', () => { ended = true; poke(); });
  stream.on('error', (e: Error) => { failure = e; poke(); });
  stream.on('close', () => { if (!ended && !failure && !stream.readableEnded) failure = new Error('stream closed early'); poke(); });

  const take = (n: number): Buffer => {
    buffered -= n;
    const first = chunks[0];
    if (first && first.length >= n) {
      if (first.length === n) chunks.shift();
      else chunks[0] = first.subarray(n);
      return first.subarray(0, n);
    }
    const out = Buffer.allocUnsafe(n);
    let off = 0;
    while (off < n) {
      const c = chunks[0]!;
      const m = Math.min(c.length, n - off);
      c.copy(out, off, 0, m);
      off += m;
      if (m === c.length) chunks.shift();
      else chunks[0] = c.subarray(m);
    }
    return out;
  };

  return {
    async next() {
      for (;;) {
        if (buffered >= blksize) return take(blksize);
        const c: unknown = stream.read();
        if (c !== null) {
          const b = typeof c === 'string' ? Buffer.from(c) : Buffer.isBuffer(c) ? c : Buffer.from(c as Uint8Array);
          if (b.length > 0) { chunks.push(b); buffered += b.length; }
          continue;
        }
        if (ended) return take(buffered);
        if (failure) throw failure;
        await new Promise<void>((resolve) => { wake = resolve; });
      }
    },
    close() {
      stream.destroy();
    },
  };
}
