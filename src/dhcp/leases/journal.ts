/**
 * The lease journal: one text line per change (journal-format.ts), appended and made durable with group
 * commit (every record queued while one write+fdatasync is in flight goes out in the next single
 * write+fdatasync), so an ACK waits for the disk but thousands of ACKs per second share one flush.
 *
 * The writer works on a plain file descriptor with callbacks (no Promise or closure per record): records are
 * formatted straight into one reusable Buffer, written to the page cache synchronously, and only the
 * fdatasync runs in the thread pool; while it is in flight the next batch fills a second Buffer. A batch starts
 * at the next turn of the event loop once the previous flush has ended, and no sooner than MIN_FLUSH_GAP_MS
 * after it started, so a lease waits for at most two flushes and that gap. After a failed write the next batch
 * starts with a newline, so a torn record never swallows the first record written after it.
 *
 * Compaction rewrites the live entries into a new file, fsyncs it, renames it over the journal and fsyncs the
 * directory, so a crash at any point leaves either the old or the new journal, both complete.
 */
import { closeSync, fdatasync, openSync, writeSync } from 'node:fs';
import { writeAtomic } from '../../shared/durable.ts';
import { formatRecord, type JournalRecord } from './journal-format.ts';
import type { Lease } from './table.ts';

export type Done = (err?: Error) => void;

/**
 * A flush starts no sooner than this after the previous one started: under load each fdatasync (a disk
 * round trip and a thread-pool hand-off) then carries the records of this long, at the cost of at most this
 * much more wait for an ACK; an idle journal flushes at once.
 */
export const MIN_FLUSH_GAP_MS = 5;

export interface Journal {
  /** Calls `done` once the record is on disk (fdatasync), or with the error if the write failed. */
  appendCb(r: JournalRecord, done: Done): void;
  /** Promise form of appendCb. */
  append(r: JournalRecord): Promise<void>;
  /** Records written since the last compaction. */
  readonly written: number;
  /** Rewrite the journal with only these entries (runs between group commits). */
  compact(
    snapshot: () => {
      leases: Lease[];
      declined: { ip: number; until: number }[];
    },
  ): Promise<void>;
  /** Flushes so far: count, records, and the slowest write+fdatasync in ms (for stats). */
  readonly flushes: { count: number; records: number; maxMs: number };
  close(): Promise<void>;
}

/** A growable byte buffer records are formatted into (latin1: the records are ASCII). */
interface Batch {
  buf: Buffer;
  len: number;
  done: Done[];
}
const NEWLINE = Buffer.from('\n');
const newBatch = (): Batch => ({
  buf: Buffer.allocUnsafe(64 * 1024),
  len: 0,
  done: [],
});
function put(b: Batch, text: string): void {
  if (b.len + text.length > b.buf.length) {
    const bigger = Buffer.allocUnsafe(
      Math.max(b.buf.length * 2, b.len + text.length),
    );
    b.buf.copy(bigger, 0, 0, b.len);
    b.buf = bigger;
  }
  b.len += b.buf.write(text, b.len, 'latin1');
}

export async function openJournal(path: string): Promise<Journal> {
  let fd = openSync(path, 'a');
  let filling = newBatch(); // records queued for the next flush
  let spare = newBatch(); // the buffer being flushed, reused afterwards
  let busy = false; // a flush or a compaction is running
  let scheduled = false;
  let torn = false;
  let written = 0;
  let closed = false;
  const flushes = { count: 0, records: 0, maxMs: 0 };
  const idle: (() => void)[] = []; // compaction / close waiting for the writer to stop

  const settle = (b: Batch, e: Error | undefined): void => {
    const ds = b.done;
    b.done = [];
    b.len = 0;
    // A throwing callback must not leave the writer stuck (busy) or skip the others: rethrown afterwards.
    for (const d of ds) {
      try {
        d(e);
      } catch (thrown) {
        queueMicrotask(() => {
          throw thrown;
        });
      }
    }
  };
  const next = (): void => {
    busy = false;
    const waiting = idle.shift();
    if (waiting) {
      busy = true;
      waiting();
      return;
    }
    if (filling.len > 0) kick();
  };
  let lastStart = Number.NEGATIVE_INFINITY;
  const flush = (): void => {
    busy = true;
    const b = filling;
    filling = spare;
    spare = b;
    const started = performance.now();
    lastStart = started;
    const fail = (e: Error): void => {
      torn = true;
      settle(b, e);
      next();
    };
    const onSync = (e: Error | null): void => {
      if (e) {
        fail(e);
        return;
      }
      const ms = performance.now() - started;
      flushes.count++;
      flushes.records += b.done.length;
      if (ms > flushes.maxMs) flushes.maxMs = ms;
      written += b.done.length;
      settle(b, undefined);
      next();
    };
    // The write goes to the page cache at once (no disk wait), on this thread; only fdatasync goes to the
    // thread pool. One hand-off per batch instead of two: under CPU contention every hand-off is a wake-up.
    try {
      if (torn) {
        writeSync(fd, NEWLINE, 0, 1);
        torn = false;
      }
      for (let off = 0; off < b.len; )
        off += writeSync(fd, b.buf, off, b.len - off);
    } catch (e) {
      fail(e as Error);
      return;
    }
    fdatasync(fd, onSync);
  };
  const go = (): void => {
    scheduled = false;
    if (!busy && filling.len > 0) flush();
  };
  const kick = (): void => {
    if (scheduled) return;
    scheduled = true;
    // Let the current turn of the event loop queue more records first: that is the group commit. A busy
    // journal starts a flush at most every MIN_FLUSH_GAP_MS, so more records share one fdatasync.
    const wait = lastStart + MIN_FLUSH_GAP_MS - performance.now();
    if (wait > 0) setTimeout(go, wait);
    else setImmediate(go);
  };
  /** Runs `job` with the writer stopped (no flush in flight), then resumes flushing. */
  const exclusive = <T>(job: () => Promise<T>): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const run = (): void => {
        job().then(resolve, reject).finally(next);
      };
      if (busy) idle.push(run);
      else {
        busy = true;
        run();
      }
    });

  const writeSnapshot = async (snap: {
    leases: Lease[];
    declined: { ip: number; until: number }[];
  }): Promise<void> => {
    const b = newBatch();
    for (const l of snap.leases)
      put(
        b,
        formatRecord({
          kind: 'bind',
          ip: l.ip,
          mac: l.mac,
          expires: l.expires,
        }),
      );
    for (const d of snap.declined)
      put(b, formatRecord({ kind: 'decline', ip: d.ip, until: d.until }));
    // Reopen right after the rename: should the folder fsync fail, later leases must still go to the live
    // file, not the unlinked old one.
    await writeAtomic(path, b.buf.subarray(0, b.len), {
      afterRename: () => {
        closeSync(fd);
        fd = openSync(path, 'a');
        torn = false;
      },
    });
    written = snap.leases.length + snap.declined.length;
  };

  const appendCb = (r: JournalRecord, done: Done): void => {
    if (closed) {
      done(new Error('journal closed'));
      return;
    }
    put(filling, formatRecord(r));
    filling.done.push(done);
    if (!busy) kick();
  };

  return {
    appendCb,
    append: (r) =>
      new Promise<void>((resolve, reject) =>
        appendCb(r, (e) => (e ? reject(e) : resolve())),
      ),
    get written() {
      return written;
    },
    get flushes() {
      return flushes;
    },
    compact: (snapshot) => exclusive(() => writeSnapshot(snapshot())),
    async close() {
      if (closed) return;
      closed = true;
      // Let queued records go out, then close once the writer is idle.
      await new Promise<void>((resolve) => {
        const waitIdle = (): void => {
          if (busy || scheduled || filling.len > 0) setImmediate(waitIdle);
          else resolve();
        };
        waitIdle();
      });
      closeSync(fd);
    },
  };
}
