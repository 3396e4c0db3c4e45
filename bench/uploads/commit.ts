/**
 * Group commit against an fsync each: --files uploads (default 2,000, a boot storm's uploads finishing
 * together) of --size bytes are written through the tree's upload path (src/tree/uploads.ts) into a fresh
 * folder under --dir, then all commit() at once; the time from the first commit to the last, and each
 * commit's own latency (what a phone waits for its final ACK). Modes take turns run by run: 'syncfs'
 * (shared/sync-group.ts rounds, one syncfs per round, whatever the page cache holds), 'fsync' (each file
 * fsynced, each folder fsyncDir'd) and 'auto' (the appliance's: rounds that fsync each file instead while the
 * machine's dirty pages exceed sync-group.ts DIRTY_LIMIT). --dirty MB first writes an unrelated file of that
 * size and leaves it unsynced in the page cache (syncfs flushes the whole filesystem, so other writers' data is
 * its cost too).
 *
 *   node bench/uploads/commit.ts [--files 2000] [--size 2048] [--runs 3] [--dirty 0] [--dir /var/tmp]
 */
import { mkdtemp, open, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Mac } from '../../src/shared/mac.ts';
import {
  fsyncEach,
  loadSyncfsAddon,
  type SyncGroup,
  syncfsRounds,
} from '../../src/shared/sync-group.ts';
import type { Upload } from '../../src/tree/types.ts';
import { beginDiskUpload } from '../../src/tree/uploads.ts';
import { arg, numArg } from '../lib/args.ts';
import { uptime } from '../lib/uptime.ts';

/** The command line (defaults: a 1,000-phone storm's 2,000 uploads of a phone's small log files). */
const opt = {
  files: numArg('files', 2000),
  size: numArg('size', 2048),
  runs: numArg('runs', 3),
  dirtyMb: numArg('dirty', 0),
  base: arg('dir', '/var/tmp'),
};
const {
  files: FILES,
  size: SIZE,
  runs: RUNS,
  dirtyMb: DIRTY_MB,
  base: BASE,
} = opt;

const addon = loadSyncfsAddon();
if (!addon.ok) throw new Error(addon.error);
const { syncfs } = addon.value;

async function dirty(dir: string): Promise<void> {
  if (DIRTY_MB <= 0) return;
  const fh = await open(join(dir, 'unrelated.bin'), 'w');
  const mb = Buffer.alloc(1 << 20, 7);
  for (let i = 0; i < DIRTY_MB; i++) await fh.write(mb);
  await fh.close(); // no fsync: left dirty in the page cache
}

const pct = (xs: number[], p: number): number =>
  xs[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;

type Mode = 'syncfs' | 'fsync' | 'auto';

async function once(mode: Mode): Promise<string> {
  const dir = await mkdtemp(join(BASE, 'commit-bench-'));
  try {
    const rounds: string[] = [];
    const onRound = (n: number, how: string): void => {
      rounds.push(how === 'fsync' ? `${n} fsync'd` : `${n}`);
    };
    const group: SyncGroup =
      mode === 'fsync'
        ? fsyncEach()
        : mode === 'syncfs'
          ? syncfsRounds(syncfs, onRound, () => 0)
          : syncfsRounds(syncfs, onRound);
    const body = Buffer.alloc(SIZE, 0x41);
    const uploads: Upload[] = [];
    for (let i = 0; i < FILES; i++) {
      const u = await beginDiskUpload(
        {
          path: `p${i}.log`,
          site: undefined,
          kind: 'log',
          mac: '0004f2000000' as Mac,
          maxBytes: 1 << 20,
        },
        join(dir, `0004f2${i.toString(16).padStart(6, '0')}-app.log`),
        0,
        group,
      );
      if (!u.ok) throw new Error(u.error.message);
      const w = await u.value.write(body);
      if (!w.ok) throw new Error(w.error.message);
      uploads.push(u.value);
    }
    // Settle what the uploads wrote (both modes start from a clean page cache), then the unrelated writer.
    const settle = await open(dir, 'r');
    await syncfs(settle.fd);
    await settle.close();
    await dirty(dir);
    const t0 = performance.now();
    const lat = await Promise.all(
      uploads.map(async (u) => {
        const r = await u.commit();
        if (!r.ok) throw new Error(r.error.message);
        return performance.now() - t0;
      }),
    );
    const wall = performance.now() - t0;
    await group.close();
    lat.sort((a, b) => a - b);
    const roundText =
      mode === 'fsync' ? ' | —' : ` | ${rounds.length} (${rounds.join(', ')})`;
    return `| ${mode} | ${FILES} | ${DIRTY_MB} | ${wall.toFixed(0)} | ${pct(lat, 50).toFixed(0)} | ${pct(lat, 99).toFixed(0)}${roundText} |`;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

console.log(`start: ${uptime()}`);
console.log(`files ${FILES} × ${SIZE} B in ${BASE}, --dirty ${DIRTY_MB} MB`);
console.log(
  '| mode | commits | dirty (MB) | all committed (ms) | p50 commit (ms) | p99 commit (ms) | rounds (items each) |',
);
console.log('|---|---|---|---|---|---|---|');
const MODES: readonly Mode[] = ['syncfs', 'fsync', 'auto'];
for (let r = 0; r < RUNS; r++)
  for (let k = 0; k < MODES.length; k++)
    console.log(await once(MODES[(r + k) % MODES.length]!));
console.log(`end: ${uptime()}`);
