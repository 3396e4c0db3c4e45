/**
 * How much of the page cache is dirty or under writeback, machine-wide (/proc/meminfo's Dirty + Writeback).
 * A syncfs waits for all of it that lives on its filesystem, so sync-group.ts reads this before each round and
 * gives the round's files an fsync each when there is much of it (bench/results/uploads.md).
 */
import { readFileSync } from 'node:fs';

/** Dirty + Writeback in bytes from /proc/meminfo's text; undefined when neither line is there. */
export function parseDirtyBytes(meminfo: string): number | undefined {
  let kib: number | undefined;
  for (const m of meminfo.matchAll(/^(?:Dirty|Writeback):\s+(\d+) kB$/gm))
    kib = (kib ?? 0) + Number(m[1]);
  return kib === undefined ? undefined : kib * 1024;
}

/** The machine's dirty and writeback bytes now; 0 when /proc/meminfo cannot be read (not Linux). */
export function systemDirtyBytes(): number {
  try {
    return parseDirtyBytes(readFileSync('/proc/meminfo', 'utf8')) ?? 0;
  } catch {
    return 0;
  }
}
