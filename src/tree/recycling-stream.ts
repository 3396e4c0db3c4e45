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
 * The HTTP download keeps it the same way: it pauses on each chunk until the response's write callback,
 * with a ring of 2, the least that keeps it: chunk k+2 (into chunk k's buffer) is read only after the
 * resume that follows chunk k's write callback, since while k is held only k+1 may be read ahead.
 *
 * recycle(): the consumer's word that it holds no chunk any more (every write called back, or its socket
 * closed; 'end' is not that: it comes before the last chunk's write is done). The ring then goes to a
 * process-wide spare list (at most SPARE_MAX bytes) that the next streams take their buffers from, so
 * download after download reuses the same memory instead of leaving rings for the collector. A list no
 * stream has taken from for SPARE_IDLE_MS is dropped (to the collector): a quiet appliance keeps none.
 *
 * With `budget` (read-budget.ts) instead of a fixed `chunk`, the ring's buffers are pieces of that
 * budget's arena: the stream joins the budget before it opens the file (waiting for room), takes each read's
 * piece from it, and leaves it (its pieces freed) once it is recycled and quiet, so such a stream must be
 * recycled (a consumer that never calls recycle() keeps its reservation). Its highWaterMark is 1 byte, so it
 * still reads at most one chunk ahead whatever size its chunks take from read to read.
 */
import { close, open, read } from 'node:fs';
import { Readable } from 'node:stream';
import type { ReadBudget } from './read-budget.ts';

export interface RecyclingOptions {
  readonly start: number;
  /** Last byte (inclusive). */
  readonly end: number;
  /** Bytes per read; ignored with `budget`. */
  readonly chunk?: number;
  /** Buffers in the ring (at least 2). */
  readonly ring: number;
  /** The byte budget that sizes this stream's buffers (read-budget.ts); without it, `chunk` fixed. */
  readonly budget?: ReadBudget;
}

const SPARE_MAX = 32 * 1024 * 1024;
const SPARE_IDLE_MS = 30_000;
/** Spare ring buffers by size, given back by recycle(). */
const spare = new Map<number, Buffer[]>();
let spareBytes = 0;
let takenSinceCheck = false;
/** An idle check is scheduled (one at a time, while the list holds anything). */
let checking = false;

function checkIdle(): void {
  if (takenSinceCheck) {
    takenSinceCheck = false;
    setTimeout(checkIdle, SPARE_IDLE_MS).unref();
    return;
  }
  checking = false;
  spare.clear();
  spareBytes = 0;
}

function takeBuffer(size: number): Buffer {
  const b = spare.get(size)?.pop();
  if (b === undefined) return Buffer.allocUnsafeSlow(size);
  spareBytes -= size;
  takenSinceCheck = true;
  return b;
}
function giveBuffer(b: Buffer): void {
  if (spareBytes + b.length > SPARE_MAX) return; // left to the collector
  let list = spare.get(b.length);
  if (!list) {
    list = [];
    spare.set(b.length, list);
  }
  list.push(b);
  spareBytes += b.length;
  if (!checking) {
    checking = true;
    setTimeout(checkIdle, SPARE_IDLE_MS).unref();
  }
}

/** Bytes in the spare list (for tests). */
export const spareRingBytes = (): number => spareBytes;

/**
 * The chunk size for a ring of `ring` buffers when `active` downloads share a budget of `budget` bytes:
 * 64 KiB halved while the rings would exceed the budget, never below 16 KiB. Large chunks are faster; a
 * storm's hundreds of downloads must not hold their rings at 64 KiB. Figures: bench/results/ftp.md.
 */
export function ringChunk(
  active: number,
  ring: number,
  budget: number,
): number {
  let chunk = 64 * 1024;
  while (chunk > 16 * 1024 && chunk * ring * Math.max(1, active) > budget)
    chunk /= 2;
  return chunk;
}

export class RecyclingFileStream extends Readable {
  readonly #path: string;
  readonly #opts: RecyclingOptions & { readonly chunk: number };
  readonly #ring: Buffer[] = [];
  /** Admitted to the budget (its floor reserved); #cancelWait while waiting in line. */
  #joined = false;
  #cancelWait: (() => boolean) | undefined;
  #constructed: ((error?: Error | null) => void) | undefined;
  #fd: number | undefined;
  /** A read is in flight; a destroy meanwhile closes the descriptor when it returns (as fs.ReadStream does). */
  #reading = false;
  #afterRead: (() => void) | undefined;
  #pos: number;
  #next = 0;
  /** recycle() was called: the ring goes to the spare list once no read uses it. */
  #recycled = false;
  /** Destroyed and no read in flight: nothing of this stream touches the ring any more. */
  #quiet = false;

  constructor(path: string, opts: RecyclingOptions) {
    const chunk = opts.chunk ?? 64 * 1024;
    super({ highWaterMark: opts.budget ? 1 : chunk });
    this.#path = path;
    this.#opts = { ...opts, chunk, ring: Math.max(2, opts.ring) };
    this.#pos = opts.start;
  }

  /** The file's path, as fs.ReadStream has it (ftp-srv reports it). */
  get path(): string {
    return this.#path;
  }

  override _construct(cb: (error?: Error | null) => void): void {
    const openFile = (): void =>
      open(this.#path, 'r', (e, fd) => {
        if (e) cb(e);
        else {
          this.#fd = fd;
          cb();
        }
      });
    const budget = this.#opts.budget;
    if (!budget) {
      openFile();
      return;
    }
    if (this.destroyed) {
      cb(); // destroyed before it began: nothing to reserve or open (_destroy follows)
      return;
    }
    // Join the budget first: a download waiting for room holds no descriptor.
    this.#constructed = cb;
    this.#cancelWait = budget.join(this.#opts.ring, () => {
      this.#joined = true;
      this.#cancelWait = undefined;
      this.#constructed = undefined;
      openFile();
    });
  }

  /** Destroyed while waiting in the budget's line: leave the line so the destroy can proceed. */
  override destroy(error?: Error): this {
    const cb = this.#constructed;
    if (this.#cancelWait?.() === true && cb) {
      this.#cancelWait = undefined;
      this.#constructed = undefined;
      cb();
    }
    return super.destroy(error);
  }

  override _read(): void {
    const { end, chunk, ring, budget } = this.#opts;
    const left = end - this.#pos + 1;
    if (left <= 0) {
      this.push(null);
      return;
    }
    const i = this.#next;
    this.#next = (i + 1) % ring;
    const buf = budget
      ? (this.#ring[i] = budget.slot(this.#ring[i], budget.want(ring, left)))
      : (this.#ring[i] ??= takeBuffer(chunk));
    const len = Math.min(buf.length, left); // a budget's piece is its chunk
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

  /** The consumer holds no chunk any more (see the top of the file): destroy, and give the ring back. */
  recycle(): void {
    if (this.#recycled) return;
    this.#recycled = true;
    if (this.#quiet) this.#giveBack();
    else this.destroy();
  }

  #giveBack(): void {
    const budget = this.#opts.budget;
    if (!budget) {
      for (const b of this.#ring.splice(0)) giveBuffer(b);
      return;
    }
    if (!this.#joined) return;
    this.#joined = false;
    budget.leave(this.#opts.ring, this.#ring.splice(0));
  }

  override _destroy(
    error: Error | null,
    cb: (error?: Error | null) => void,
  ): void {
    const fd = this.#fd;
    this.#fd = undefined;
    const settle = (): void => {
      this.#quiet = true;
      if (this.#recycled) this.#giveBack();
      cb(error);
    };
    if (fd === undefined) {
      settle();
      return;
    }
    const done = (): void => close(fd, () => settle());
    if (this.#reading)
      this.#afterRead = done; // never close a descriptor (nor give back a buffer) a read is still using
    else done();
  }
}
