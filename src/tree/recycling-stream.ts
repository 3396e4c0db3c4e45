/**
 * A file stream that reads into a small ring of buffers instead of a fresh one per chunk.
 *
 * Why: fs.ReadStream allocates a new buffer for every chunk, garbage V8 collects only once a lot of external
 * memory has piled up; at storm rates that dead memory sets the process's high-water mark (figures:
 * bench/results/storm.md, "Memory settings of appliance run").
 *
 * The contract (the caller's to keep): a chunk's bytes may be overwritten once `ring` more chunks have been
 * read. ftp-srv's RETR keeps it: it pauses the stream on each chunk and resumes only when the data socket
 * has taken that chunk (the write callback), and a Readable reads at most one chunk (highWaterMark) ahead
 * of what it has emitted, so with a ring of 4 a chunk is long written before its buffer comes round again.
 * A consumer that holds chunks (collects them, or writes several before waiting) must use fs streams.
 */
import { close, open, read } from 'node:fs';
import { Readable } from 'node:stream';

export interface RecyclingOptions {
  readonly start: number;
  /** Last byte (inclusive). */
  readonly end: number;
  readonly chunk: number;
  /** Buffers in the ring (at least 3). */
  readonly ring: number;
}

export class RecyclingFileStream extends Readable {
  readonly #path: string;
  readonly #opts: RecyclingOptions;
  readonly #ring: Buffer[] = [];
  #fd: number | undefined;
  /** A read is in flight; a destroy meanwhile closes the descriptor when it returns (as fs.ReadStream does). */
  #reading = false;
  #afterRead: (() => void) | undefined;
  #pos: number;
  #next = 0;

  constructor(path: string, opts: RecyclingOptions) {
    super({ highWaterMark: opts.chunk });
    this.#path = path;
    this.#opts = { ...opts, ring: Math.max(3, opts.ring) };
    this.#pos = opts.start;
  }

  /** The file's path, as fs.ReadStream has it (ftp-srv reports it). */
  get path(): string {
    return this.#path;
  }

  override _construct(cb: (error?: Error | null) => void): void {
    open(this.#path, 'r', (e, fd) => {
      if (e) cb(e);
      else {
        this.#fd = fd;
        cb();
      }
    });
  }

  override _read(): void {
    const { end, chunk, ring } = this.#opts;
    const len = Math.min(chunk, end - this.#pos + 1);
    if (len <= 0) {
      this.push(null);
      return;
    }
    const i = this.#next;
    this.#next = (i + 1) % ring;
    const buf = (this.#ring[i] ??= Buffer.allocUnsafeSlow(chunk));
    // Callback reads (as fs.ReadStream does): a promise per chunk is old-generation garbage at storm rates.
    this.#reading = true;
    read(this.#fd!, buf, 0, len, this.#pos, (e, bytesRead) => {
      this.#reading = false;
      const after = this.#afterRead;
      if (after) {
        this.#afterRead = undefined;
        after();
        return;
      }
      if (e) {
        this.destroy(e);
        return;
      }
      if (bytesRead === 0) {
        this.push(null);
        return;
      } // the file shrank: serve what was there
      this.#pos += bytesRead;
      this.push(buf.subarray(0, bytesRead));
    });
  }

  override _destroy(
    error: Error | null,
    cb: (error?: Error | null) => void,
  ): void {
    const fd = this.#fd;
    this.#fd = undefined;
    this.#ring.length = 0;
    if (fd === undefined) {
      cb(error);
      return;
    }
    const done = (): void => close(fd, () => cb(error));
    if (this.#reading)
      this.#afterRead = done; // never close a descriptor a read is still using
    else done();
  }
}
