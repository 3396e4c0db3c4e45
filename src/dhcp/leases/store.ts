/**
 * The persistent lease store: a LeaseTable rebuilt from the journal in dataDir at start, compacted right
 * away, then kept in step. `commit` applies changes to memory at once (so the next request already sees the
 * address taken) and resolves when the persistent ones are on disk; the server sends an ACK only then, so
 * after kill -9 every ACKed lease is in the journal and no address can be handed to two phones.
 */
import { mkdirSync } from 'node:fs';
import type { Logger } from 'pino';
import { removeAtomicLeftovers } from '../../shared/durable.ts';
import { type Done, type Journal, openJournal } from './journal.ts';
import { replayLeases } from './replay.ts';
import type { LeaseChange, LeaseTable } from './table.ts';

export { JOURNAL_FILE } from './replay.ts';

export interface LeaseStore {
  readonly table: LeaseTable;
  /** Apply at once; resolves when every persistent change is durable. */
  commit(changes: readonly LeaseChange[]): Promise<void>;
  /**
   * Callback form of commit for the hot path: `done` runs once every persistent change is durable (or with
   * the first error); with nothing to persist it runs synchronously. Returns whether anything was journalled.
   */
  commitCb(changes: readonly LeaseChange[], done: Done): boolean;
  /** Journal lines that could not be read at start (skipped). */
  readonly badLines: number;
  /** Journal flush figures (count, records, slowest write+fdatasync in ms). */
  readonly flushes: Journal['flushes'];
  close(): Promise<void>;
}

export async function openLeaseStore(
  dataDir: string,
  log: Logger,
  opts: { compactMin?: number } = {},
): Promise<LeaseStore> {
  mkdirSync(dataDir, { recursive: true });
  const { table, path, records, bad } = replayLeases(dataDir);
  if (bad > 0)
    log.warn(
      { code: 'DHCP_LEASE_JOURNAL_BAD', bad, path },
      'skipped unreadable lease journal lines',
    );
  for (const f of await removeAtomicLeftovers(path, ['.compact']))
    log.info({ removed: f }, 'removed a leftover lease journal temporary file');
  const journal: Journal = await openJournal(path);
  // Compaction at start is an optimisation: on a full disk (ENOSPC) the journal stays as it is and the
  // appliance serves (appending to the journal may still fit; an ACK waits until its lease is durable).
  await journal
    .compact(() => table.entries())
    .catch((e: Error) => {
      log.warn(
        { code: 'DHCP_LEASE_PERSIST', err: e.message, path },
        'lease journal not compacted at start (disk full?); keeping it as it is',
      );
    });
  log.info(
    { leases: table.size(), replayed: records, path },
    'dhcp leases loaded',
  );
  const compactMin = opts.compactMin ?? 20_000;
  let compacting = false;

  const maybeCompact = (): void => {
    if (compacting || journal.written <= Math.max(compactMin, 4 * table.size()))
      return;
    compacting = true;
    journal
      .compact(() => table.entries())
      .catch((e: Error) =>
        log.error(
          { code: 'DHCP_LEASE_PERSIST', err: e.message },
          'lease journal compaction failed',
        ),
      )
      .finally(() => {
        compacting = false;
      });
  };
  const commitCb = (changes: readonly LeaseChange[], done: Done): boolean => {
    let persistent = 0;
    for (const c of changes) {
      table.apply(c);
      if (c.kind !== 'hold') persistent++;
    }
    maybeCompact();
    if (persistent === 0) {
      done();
      return false;
    }
    if (persistent === 1) {
      for (const c of changes) if (c.kind !== 'hold') journal.appendCb(c, done);
      return true;
    }
    let left = persistent;
    let failed = false;
    const one: Done = (e) => {
      if (failed) return;
      if (e) {
        failed = true;
        done(e);
        return;
      }
      if (--left === 0) done();
    };
    for (const c of changes) if (c.kind !== 'hold') journal.appendCb(c, one);
    return true;
  };

  return {
    table,
    badLines: bad,
    commitCb,
    commit: (changes) =>
      new Promise<void>((resolve, reject) => {
        commitCb(changes, (e) => (e ? reject(e) : resolve()));
      }),
    get flushes() {
      return journal.flushes;
    },
    close: () => journal.close(),
  };
}
