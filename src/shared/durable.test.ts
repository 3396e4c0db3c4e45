import assert from 'node:assert/strict';
import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { tempDir } from '../../test/lib/temp-dir.ts';
import { removeAtomicLeftovers, writeAtomic } from './durable.ts';

test('writeAtomic: a string, bytes, or pieces of text replace the file whole, with its mode', async () => {
  const dir = tempDir('durable-');
  const path = join(dir, 'f.json');
  await writeAtomic(path, 'first', { mode: 0o600 });
  assert.equal(await readFile(path, 'utf8'), 'first');
  assert.equal((await stat(path)).mode & 0o777, 0o600);
  await writeAtomic(path, new TextEncoder().encode('bytes'));
  assert.equal(await readFile(path, 'utf8'), 'bytes');
  // Pieces: each written in turn (after the previous one), as UTF-8, even when a piece is empty or non-ASCII.
  const pieces = ['{"a":', '', '"→ü📞"', ',"b":', 'x'.repeat(200_000), '}'];
  let renamed = false;
  await writeAtomic(path, pieces, { afterRename: () => (renamed = true) });
  assert.equal(await readFile(path, 'utf8'), pieces.join(''));
  assert.ok(renamed);
  function* gen(): Generator<string> {
    for (let i = 0; i < 1000; i++) yield `${i},`;
  }
  await writeAtomic(path, gen());
  assert.equal(await readFile(path, 'utf8'), [...gen()].join(''));
  assert.deepEqual(await readdir(dir), ['f.json'], 'no temporary file left');
});

test('writeAtomic: pieces that fail midway leave the good file as it was and no temporary file', async () => {
  const dir = tempDir('durable-');
  const path = join(dir, 'inventory.json');
  await writeFile(path, 'the good file');
  let afterRename = false;
  function* failing(): Generator<string> {
    yield 'x'.repeat(100_000);
    yield 'half of the new content';
    throw new Error('serialiser bug');
  }
  await assert.rejects(
    writeAtomic(path, failing(), { afterRename: () => (afterRename = true) }),
    /serialiser bug/,
  );
  assert.equal(await readFile(path, 'utf8'), 'the good file');
  assert.equal(afterRename, false);
  assert.deepEqual(await readdir(dir), ['inventory.json']);
});

test('removeAtomicLeftovers: removes only the temporary files of that name (and the suffixes given)', async () => {
  const dir = tempDir('durable-');
  const path = join(dir, 'leases');
  for (const f of ['leases', 'leases.tmp-123', 'leases.old', 'other.tmp-1'])
    await writeFile(join(dir, f), f);
  assert.deepEqual((await removeAtomicLeftovers(path, ['.old'])).sort(), [
    'leases.old',
    'leases.tmp-123',
  ]);
  assert.deepEqual((await readdir(dir)).sort(), ['leases', 'other.tmp-1']);
});
