/** Every stable error code the code can produce is documented in docs/errors.md (style lesson: errors carry stable codes). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const PREFIXES = ['CFG', 'TREE', 'DHCP', 'TFTP', 'FTP', 'HTTP', 'SIM', 'ADMIN', 'NOTIFY'];
const CODE = new RegExp(`['"\`]((?:${PREFIXES.join('|')})_[A-Z0-9_]+)['"\`]`, 'g');

async function sources(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory() && e.name !== 'testdata' && e.name !== 'node_modules') out.push(...(await sources(p)));
    else if (e.name.endsWith('.ts') && !e.name.endsWith('.test.ts')) out.push(p);
  }
  return out;
}

test('every error code in src/ and phonesim/ is documented in docs/errors.md', async () => {
  const doc = await readFile(join(root, 'docs/errors.md'), 'utf8');
  const missing = new Map<string, string>();
  for (const dir of ['src', 'phonesim']) {
    for (const file of await sources(join(root, dir)).catch(() => [] as string[])) {
      const text = await readFile(file, 'utf8');
      for (const m of text.matchAll(CODE)) if (!doc.includes(m[1]!)) missing.set(m[1]!, file.slice(root.length));
    }
  }
  assert.deepEqual([...missing].map(([c, f]) => `${c} (${f})`), []);
});
