import assert from 'node:assert/strict';
import {
  mkdtemp,
  readdir,
  readFile,
  rm,
  stat,
  writeFile,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Mac } from '../shared/mac.ts';
import { openSyslogStore } from './store.ts';

const A = '0004f28062d6' as Mac;
const B = '0004f2000003' as Mac;

/** A store in `dir` with these caps (what the config would give). */
const store = (dir: string, fileBytes: number, phones: number) =>
  openSyslogStore({
    dir,
    maxFileBytes: () => fileBytes,
    maxPhones: () => phones,
  });

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'syslog-store-'));
  try {
    await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

test('lines go to <mac>.log in order; past the cap the file rotates to .log.1 and disk stays under 2 x cap', () =>
  withDir(async (dir) => {
    const cap = 4096;
    const s = await store(dir, cap, 10);
    for (let i = 0; i < 500; i++) {
      assert.ok(
        s.append(A, `line ${String(i).padStart(4, '0')} ${'x'.repeat(40)}`),
      );
      if (i % 50 === 0) await s.flush();
    }
    await s.flush();
    const cur = await readFile(join(dir, `${A}.log`), 'utf8');
    const old = await readFile(join(dir, `${A}.log.1`), 'utf8');
    assert.ok(
      cur.length <= cap && old.length <= cap,
      `${cur.length} ${old.length}`,
    );
    assert.match(cur.trimEnd().split('\n').at(-1)!, /^line 0499 /);
    const lines = (old + cur)
      .trimEnd()
      .split('\n')
      .map((l) => Number(l.slice(5, 9)));
    for (let i = 1; i < lines.length; i++)
      assert.equal(lines[i], lines[i - 1]! + 1, 'contiguous, in order');
    assert.ok(s.stats().rotations > 0);
    assert.equal(s.stats().dropped.SYSLOG_STORE_IO, 0);
  }));

test('at most maxPhones files, existing files counted at open; the rest is refused (counted as SYSLOG_STORE_FULL)', () =>
  withDir(async (dir) => {
    await writeFile(join(dir, `${B}.log`), 'old\n');
    const s = await store(dir, 65536, 2);
    assert.ok(s.append(A, 'a'));
    assert.ok(s.append(B, 'b'));
    assert.equal(s.append('0004f2aaaaaa' as Mac, 'c'), false);
    await s.flush();
    assert.deepEqual(
      (await readdir(dir)).sort(),
      [`${B}.log`, `${A}.log`].sort(),
    );
    assert.equal(s.stats().dropped.SYSLOG_STORE_FULL, 1);
    assert.equal(await readFile(join(dir, `${B}.log`), 'utf8'), 'old\nb\n');
  }));

test('a backlog beyond the cap is dropped, not buffered', () =>
  withDir(async (dir) => {
    const s = await store(dir, 1000, 1);
    for (let i = 0; i < 1000; i++) s.append(A, 'y'.repeat(99)); // 100 KB offered in one turn of the loop
    await s.flush();
    assert.ok((await stat(join(dir, `${A}.log`))).size <= 1000);
    assert.ok(s.stats().dropped.SYSLOG_BACKLOG >= 990);
  }));

test('unattributed lines: a bounded ring (oldest first), per-sender counts bounded, long lines truncated', () =>
  withDir(async (dir) => {
    const s = await openSyslogStore({
      dir,
      maxFileBytes: () => 65536,
      maxPhones: () => 1,
      ringSize: 5,
      maxSenders: 3,
      ringLineChars: 10,
    });
    for (let i = 0; i < 12; i++)
      s.unattributed(`10.0.0.${i % 4}`, `msg ${i} ${'z'.repeat(20)}`, `t${i}`);
    const ring = s.recentUnattributed();
    assert.deepEqual(
      ring.map((e) => e.receivedAt),
      ['t7', 't8', 't9', 't10', 't11'],
    );
    assert.ok(ring.every((e) => e.line.length <= 10));
    assert.deepEqual(s.unattributedBySender(), {
      '10.0.0.0': 3,
      '10.0.0.1': 3,
      '10.0.0.2': 3,
    });
    assert.equal(s.stats().unattributed, 12);
    assert.equal(s.stats().unattributedOtherSenders, 3);
    assert.deepEqual(await readdir(dir), []);
  }));
