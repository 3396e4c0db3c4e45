/**
 * The persistent lease store: a LeaseTable rebuilt from the journal in dataDir at start, compacted right
 * away, then kept in step. `commit` applies changes to memory at once (so the next request already sees the
 * address taken) and resolves when the persistent ones are on disk; the server sends an ACK only then, so
 * after kill -9 every ACKed lease is in the journal and no address can be handed to two phones.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { createLeaseTable, type LeaseChange, type LeaseTable } from './table.ts';
import { openJournal, readJournal, type Journal } from './journal.ts';

export interface LeaseStore {
  readonly table: LeaseTable;
  /** Apply at once; resolves when every persistent change is durable. */
  commit(changes: readonly LeaseChange[]): Promise<void>;
  close(): Promise<void>;
}

export const JOURNAL_FILE = 'dhcp-leases.journal';

export async function openLeaseStore(dataDir: string, log: Logger, opts: { compactMin?: number } = {}): Promise<LeaseStore> {
  mkdirSync(dataDir, { recursive: true });
  const path = join(dataDir, JOURNAL_FILE);
  const table = createLeaseTable();
  const { records, bad } = readJournal(path);
  for (const r of records) table.apply(r);
  if (bad > 0) log.warn({ code: 'DHCP_LEASE_JOURNAL_BAD', bad, path }, 'skipped unreadable lease journal lines');
  const journal: Journal = await openJournal(path);
  await journal.compact(() => table.entries());
  log.info({ leases: table.size(), replayed: records.length, path }, 'dhcp leases loaded');
  const compactMin = opts.compactMin ?? 20_000;
  let compacting = false;

  return {
    table,
    commit(changes) {
      const waits: Promise<void>[] = [];
      for (const c of changes) {
        table.apply(c);
        if (c.kind !== 'hold') waits.push(journal.append(c));
      }
      if (!compacting && journal.written > Math.max(compactMin, 4 * table.size())) {
        compacting = true;
        journal.compact(() => table.entries())
          .catch((e: Error) => log.error({ code: 'DHCP_LEASE_PERSIST', err: e.message }, 'lease journal compaction failed'))
          .finally(() => { compacting = false; });
      }
      if (waits.length === 0) return Promise.resolve();
      return waits.length === 1 ? waits[0]! : Promise.all(waits).then(() => undefined);
    },
    close: () => journal.close(),
  };
}
