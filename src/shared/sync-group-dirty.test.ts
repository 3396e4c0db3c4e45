/**
 * A durability round while the page cache holds much dirty data (sync-group.ts DIRTY_LIMIT): the round's
 * files and folders get an fsync each and the filesystem's syncfs is not called, since it would wait for the
 * other writers' data too; below the limit the same items share one syncfs. /proc/meminfo's figure is parsed
 * from Dirty + Writeback.
 */
import assert from 'node:assert/strict';
import type { FileHandle } from 'node:fs/promises';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseDirtyBytes } from './dirty-pages.ts';
import { DIRTY_LIMIT, syncfsRounds } from './sync-group.ts';

/** Items whose fsync is counted (a stand-in handle), all in one folder. */
async function round(dirty: number) {
  const dir = await mkdtemp(join(tmpdir(), 'sync-dirty-'));
  const syncfsCalls: number[] = [];
  const rounds: string[] = [];
  let fsyncs = 0;
  const handle = {
    sync: async () => {
      fsyncs++;
    },
  } as unknown as FileHandle;
  const group = syncfsRounds(
    async (fd) => {
      syncfsCalls.push(fd);
    },
    (n, how) => rounds.push(`${n} ${how}`),
    () => dirty,
  );
  try {
    await group.prepare(dir);
    await Promise.all(
      Array.from({ length: 5 }, () => group.sync({ dir, handle })),
    );
    return { syncfsCalls: syncfsCalls.length, fsyncs, rounds };
  } finally {
    await group.close();
    await rm(dir, { recursive: true, force: true });
  }
}

test('over the dirty limit a round fsyncs each file and calls no syncfs; under it, one syncfs', async () => {
  assert.deepEqual(await round(DIRTY_LIMIT + 1), {
    syncfsCalls: 0,
    fsyncs: 5,
    rounds: ['5 fsync'],
  });
  assert.deepEqual(await round(DIRTY_LIMIT), {
    syncfsCalls: 1,
    fsyncs: 0,
    rounds: ['5 syncfs'],
  });
});

test('dirty bytes are Dirty + Writeback from /proc/meminfo', () => {
  const meminfo =
    'MemTotal:       24571236 kB\nDirty:            204800 kB\nWriteback:         1024 kB\nWritebackTmp:          0 kB\n';
  assert.equal(parseDirtyBytes(meminfo), (204800 + 1024) * 1024);
  assert.equal(parseDirtyBytes('MemTotal: 1 kB\n'), undefined);
});
