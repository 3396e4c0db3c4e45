/**
 * The lease table as the journal in a data directory leaves it: every record applied in order with
 * LeaseTable.apply, the same code the running server uses. The server replays this way at start (store.ts);
 * the CLI and an appliance without DHCP replay the journal left on disk.
 */
import { join } from 'node:path';
import type { LeaseQuery, ModelRef } from '../../runtime/deps.ts';
import { readJournal } from './journal-format.ts';
import { createLeaseQuery } from './query.ts';
import { createLeaseTable, type LeaseTable } from './table.ts';

export const JOURNAL_FILE = 'dhcp-leases.journal';

export interface Replayed {
  readonly table: LeaseTable;
  readonly path: string;
  /** Records applied. */
  readonly records: number;
  /** Lines that could not be read (a torn last line, garbage), skipped. */
  readonly bad: number;
}

export function replayLeases(dataDir: string): Replayed {
  const path = join(dataDir, JOURNAL_FILE);
  const table = createLeaseTable();
  const { records, bad } = readJournal(path);
  for (const r of records) table.apply(r);
  return { table, path, records: records.length, bad };
}

/** A LeaseQuery over the journal as it is now on disk (the DHCP service is not running). */
export function offlineLeases(dataDir: string, model: ModelRef): LeaseQuery {
  const r = replayLeases(dataDir);
  return createLeaseQuery(r.table, model, { badLines: r.bad });
}
