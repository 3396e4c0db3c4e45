/**
 * The lease journal: one text line per change, appended and made durable with group commit (every record
 * queued while one write+fdatasync is in flight goes out in the next single write+fdatasync), so an ACK
 * waits for the disk but thousands of ACKs per second share one flush.
 *
 *   b <ip> <mac> <expiresMs>     bound
 *   r <ip> <mac>                 released
 *   d <ip> <untilMs>             declined (quarantined)
 *
 * Replay ignores a torn last line (a crash mid-write) and any line it cannot parse (counted).
 * Compaction rewrites the live entries into a new file, fsyncs it, renames it over the journal and fsyncs the
 * directory, so a crash at any point leaves either the old or the new journal, both complete.
 */
import { open, rename, type FileHandle } from 'node:fs/promises';
import { readFileSync, existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { parseIpv4, formatIpv4 } from '../../shared/ipv4.ts';
import { isMacHex } from '../../shared/mac.ts';
import type { Lease, LeaseChange } from './table.ts';

export type JournalRecord = Exclude<LeaseChange, { kind: 'hold' }>;

export function formatRecord(r: JournalRecord): string {
  switch (r.kind) {
    case 'bind': return `b ${formatIpv4(r.ip)} ${r.mac} ${r.expires}\n`;
    case 'release': return `r ${formatIpv4(r.ip)} ${r.mac}\n`;
    case 'decline': return `d ${formatIpv4(r.ip)} ${r.until}\n`;
  }
}

export function parseRecord(line: string): JournalRecord | undefined {
  const f = line.split(' ');
  const ip = f[1] === undefined ? undefined : parseIpv4(f[1]);
  if (!ip || !ip.ok) return undefined;
  const num = (s: string | undefined): number | undefined => (s !== undefined && /^\d{1,16}$/.test(s) ? Number(s) : undefined);
  if (f[0] === 'b' && f.length === 4 && isMacHex(f[2]!)) {
    const expires = num(f[3]);
    return expires === undefined ? undefined : { kind: 'bind', ip: ip.value, mac: f[2], expires };
  }
  if (f[0] === 'r' && f.length === 3 && isMacHex(f[2]!)) return { kind: 'release', ip: ip.value, mac: f[2] };
  if (f[0] === 'd' && f.length === 3) {
    const until = num(f[2]);
    return until === undefined ? undefined : { kind: 'decline', ip: ip.value, until };
  }
  return undefined;
}

/** Every complete, valid record of a journal file, in order; `bad` counts skipped lines. */
export function readJournal(path: string): { records: JournalRecord[]; bad: number } {
  if (!existsSync(path)) return { records: [], bad: 0 };
  const text = readFileSync(path, 'latin1');
  const end = text.lastIndexOf('\n');
  const records: JournalRecord[] = [];
  let bad = end + 1 < text.length ? 1 : 0; // torn tail
  if (end < 0) return { records, bad };
  for (const line of text.slice(0, end).split('\n')) {
    if (line === '') continue;
    const r = parseRecord(line);
    if (r) records.push(r); else bad++;
  }
  return { records, bad };
}

export interface Journal {
  /** Resolves once the record is on disk (fdatasync), rejects if the write failed. */
  append(r: JournalRecord): Promise<void>;
  /** Records written since the last compaction. */
  readonly written: number;
  /** Rewrite the journal with only these entries (runs between group commits). */
  compact(snapshot: () => { leases: Lease[]; declined: { ip: number; until: number }[] }): Promise<void>;
  close(): Promise<void>;
}

async function fsyncDir(dir: string): Promise<void> {
  const d = await open(dir, 'r');
  try { await d.sync(); } finally { await d.close(); }
}

export async function openJournal(path: string): Promise<Journal> {
  let fh: FileHandle = await open(path, 'a');
  let pending: string[] = [];
  let waiters: { resolve: () => void; reject: (e: Error) => void }[] = [];
  let chain: Promise<void> = Promise.resolve();
  let flushing = false;
  let written = 0;
  let closed = false;

  const flush = async (): Promise<void> => {
    while (pending.length > 0) {
      const data = pending.join('');
      const ws = waiters;
      pending = [];
      waiters = [];
      try {
        await fh.write(data);
        await fh.datasync();
        written += ws.length;
        for (const w of ws) w.resolve();
      } catch (e) {
        for (const w of ws) w.reject(e as Error);
      }
    }
  };
  const kick = (): void => {
    if (flushing) return;
    flushing = true;
    // Let the current turn of the event loop queue more records first: that is the group commit.
    chain = chain.then(() => new Promise<void>((r) => setImmediate(r))).then(flush).finally(() => { flushing = false; if (pending.length) kick(); });
  };

  const writeSnapshot = async (snap: { leases: Lease[]; declined: { ip: number; until: number }[] }): Promise<void> => {
    const tmp = `${path}.compact`;
    const out = await open(tmp, 'w');
    try {
      const lines: string[] = [];
      for (const l of snap.leases) lines.push(formatRecord({ kind: 'bind', ip: l.ip, mac: l.mac, expires: l.expires }));
      for (const d of snap.declined) lines.push(formatRecord({ kind: 'decline', ip: d.ip, until: d.until }));
      await out.write(lines.join(''));
      await out.sync();
    } finally {
      await out.close();
    }
    await rename(tmp, path);
    await fsyncDir(dirname(path));
    await fh.close();
    fh = await open(path, 'a');
    written = snap.leases.length + snap.declined.length;
  };

  return {
    append(r) {
      if (closed) return Promise.reject(new Error('journal closed'));
      return new Promise<void>((resolve, reject) => {
        pending.push(formatRecord(r));
        waiters.push({ resolve, reject });
        kick();
      });
    },
    get written() { return written; },
    compact(snapshot) {
      // Queued behind any flush in progress; records appended meanwhile wait for the next flush.
      const run = chain.then(() => writeSnapshot(snapshot()));
      chain = run.catch(() => undefined);
      return run;
    },
    async close() {
      closed = true;
      await chain;
      await flush();
      await fh.close();
    },
  };
}
