/**
 * The lease journal's text format, one line per change, and its replay:
 *   b <ip> <mac> <expiresMs>     bound
 *   r <ip> <mac>                 released
 *   d <ip> <untilMs>             declined (quarantined)
 * Replay ignores a torn last line (a crash mid-write) and any line it cannot parse (counted).
 * The writer that appends these lines durably is journal.ts.
 */
import { existsSync, readFileSync } from 'node:fs';
import { formatIpv4, parseIpv4 } from '../../shared/ipv4.ts';
import { isMacHex } from '../../shared/mac.ts';
import type { LeaseChange } from './table.ts';

export type JournalRecord = Exclude<LeaseChange, { kind: 'hold' }>;

export function formatRecord(r: JournalRecord): string {
  switch (r.kind) {
    case 'bind':
      return `b ${formatIpv4(r.ip)} ${r.mac} ${r.expires}\n`;
    case 'release':
      return `r ${formatIpv4(r.ip)} ${r.mac}\n`;
    case 'decline':
      return `d ${formatIpv4(r.ip)} ${r.until}\n`;
  }
}

export function parseRecord(line: string): JournalRecord | undefined {
  const f = line.split(' ');
  const ip = f[1] === undefined ? undefined : parseIpv4(f[1]);
  if (!ip?.ok) return undefined;
  const num = (s: string | undefined): number | undefined =>
    s !== undefined && /^\d{1,16}$/.test(s) ? Number(s) : undefined;
  if (f[0] === 'b' && f.length === 4 && isMacHex(f[2]!)) {
    const expires = num(f[3]);
    return expires === undefined
      ? undefined
      : { kind: 'bind', ip: ip.value, mac: f[2], expires };
  }
  if (f[0] === 'r' && f.length === 3 && isMacHex(f[2]!))
    return { kind: 'release', ip: ip.value, mac: f[2] };
  if (f[0] === 'd' && f.length === 3) {
    const until = num(f[2]);
    return until === undefined
      ? undefined
      : { kind: 'decline', ip: ip.value, until };
  }
  return undefined;
}

/** Every complete, valid record of a journal file, in order; `bad` counts skipped lines. */
export function readJournal(path: string): {
  records: JournalRecord[];
  bad: number;
} {
  if (!existsSync(path)) return { records: [], bad: 0 };
  const text = readFileSync(path, 'latin1');
  const end = text.lastIndexOf('\n');
  const records: JournalRecord[] = [];
  let bad = end + 1 < text.length ? 1 : 0; // torn tail
  if (end < 0) return { records, bad };
  for (const line of text.slice(0, end).split('\n')) {
    if (line === '') continue;
    const r = parseRecord(line);
    if (r) records.push(r);
    else bad++;
  }
  return { records, bad };
}
