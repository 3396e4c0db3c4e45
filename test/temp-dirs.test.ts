/**
 * Tests leave no folders behind in the system's temporary directory. Test code that makes one with mkdtemp
 * removes it itself (rm or rmSync in the same file), or takes it from test/lib/temp-dir.ts, which removes it
 * when the test file's process exits. Benchmarks (bench/) keep their folders on purpose and are not checked.
 */

import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const MAKES = /\bmkdtemp(?:Sync)?\(/;
const REMOVES = /\brm(?:Sync)?\(/;

/** The test code of a folder: its *.test.ts files, and every .ts file of test/. */
async function testCode(dir: string): Promise<string[]> {
  const all = await readdir(join(root, dir), { recursive: true });
  return all
    .filter((f) => !f.includes('node_modules') && f.endsWith('.ts'))
    .filter((f) => dir === 'test' || f.endsWith('.test.ts'))
    .map((f) => join(dir, f));
}

test('test code that makes a temporary folder also removes it', async () => {
  const files = [
    ...(await testCode('src')),
    ...(await testCode('test')),
    ...(await testCode('phonesim')),
  ];
  assert.ok(files.length > 100, `only ${files.length} test files found`);
  const leaking: string[] = [];
  for (const f of files) {
    const text = await readFile(join(root, f), 'utf8');
    if (MAKES.test(text) && !REMOVES.test(text)) leaking.push(f);
  }
  assert.deepEqual(leaking, [], 'use tempDir() of test/lib/temp-dir.ts');
});
