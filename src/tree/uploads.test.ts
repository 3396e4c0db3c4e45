/**
 * Group commit of uploads (shared/sync-group.ts through beginDiskUpload), with a stand-in for syncfs that
 * counts its calls and can fail: uploads committing at the same moment share one round for their data and
 * one for their folder; a failed sync fails every upload of the round, and none is renamed into place.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Mac } from '../shared/mac.ts';
import { syncfsRounds } from '../shared/sync-group.ts';
import type { UploadTarget } from './types.ts';
import { beginDiskUpload } from './uploads.ts';

const N = 50;
const target = (i: number): UploadTarget => ({
  path: `phone${i}.cfg`,
  site: undefined,
  kind: 'log',
  mac: '0004f2000000' as Mac,
  maxBytes: 1 << 20,
});

async function commitAll(
  dir: string,
  syncfs: (fd: number) => Promise<void>,
  rounds: number[] = [],
): Promise<{ ok: boolean }[]> {
  // No dirty pages as far as the group knows: every round is a syncfs, whatever else the machine writes.
  const group = syncfsRounds(
    syncfs,
    (n) => rounds.push(n),
    () => 0,
  );
  const uploads = await Promise.all(
    Array.from({ length: N }, async (_, i) => {
      const u = await beginDiskUpload(
        target(i),
        join(dir, `phone${i}.cfg`),
        0,
        group,
      );
      assert.ok(u.ok);
      assert.ok((await u.value.write(Buffer.from(`file ${i}\n`))).ok);
      return u.value;
    }),
  );
  // The final DATA of every upload arrives in the same moment: all commits start in one tick.
  const results = await Promise.all(uploads.map((u) => u.commit()));
  await group.close();
  return results;
}

test(`${N} uploads committing at once share one syncfs for their data, and a few for their folder`, async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'sync-group-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const calls: number[] = [];
  const rounds: number[] = [];
  const results = await commitAll(
    dir,
    async (fd) => {
      calls.push(fd);
    },
    rounds,
  );
  assert.ok(results.every((r) => r.ok));
  // Round 1: every file's data. Then the folder after each rename: the renames finish in the worker threads
  // at slightly different moments, so those are one round or a few (at most one per worker-thread batch).
  assert.equal(rounds[0], N, `rounds ${rounds}`);
  assert.equal(
    rounds.slice(1).reduce((a, b) => a + b, 0),
    N,
  );
  assert.ok(rounds.length < N / 2, `rounds ${rounds}`);
  assert.equal(
    calls.length,
    rounds.length,
    'one syncfs per round (one filesystem)',
  );
  for (let i = 0; i < N; i++)
    assert.equal(
      await readFile(join(dir, `phone${i}.cfg`), 'utf8'),
      `file ${i}\n`,
    );
  assert.deepEqual(
    (await readdir(dir)).filter((f) => f.endsWith('.part')),
    [],
  );
});

test('a failed syncfs fails every upload of its round, and none replaces its file', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'sync-group-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  for (let i = 0; i < N; i++)
    await writeFile(join(dir, `phone${i}.cfg`), `old ${i}\n`);
  let calls = 0;
  const results = await commitAll(dir, async () => {
    calls++;
    throw Object.assign(new Error('Input/output error'), { code: 'EIO' });
  });
  assert.equal(calls, 1, 'one round');
  assert.ok(
    results.every((r) => !r.ok),
    'every commit failed',
  );
  for (let i = 0; i < N; i++)
    assert.equal(
      await readFile(join(dir, `phone${i}.cfg`), 'utf8'),
      `old ${i}\n`,
      'the previous file stays',
    );
  assert.equal((await readdir(dir)).length, N, 'no temporary file left');
});
