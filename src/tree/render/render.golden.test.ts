/**
 * Golden files: every rendered file of the three seed scenarios, compared byte for byte with
 * src/tree/testdata/<scenario>/<path>. Regenerate with UPDATE_GOLDEN=1 after an intended change.
 */

import assert from 'node:assert/strict';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { readGolden, updatingGolden } from '../../../test/lib/golden.ts';
import { loadConfigText } from '../../config/load.ts';
import { renderTree } from './index.ts';

const here = dirname(fileURLToPath(import.meta.url));
const scenarios = join(here, '../../../test/fixtures/scenarios');
const golden = join(here, '../testdata');

async function walk(dir: string, prefix = ''): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    if (e.isDirectory())
      out.push(...(await walk(join(dir, e.name), `${prefix + e.name}/`)));
    else out.push(prefix + e.name);
  }
  return out.sort();
}

for (const name of ['lync', 'mixed-firmware', 'legacy']) {
  test(`rendered tree of the ${name} scenario equals its golden files`, async () => {
    const file = join(scenarios, name, 'appliance.yaml');
    const r = loadConfigText(await readFile(file, 'utf8'), file);
    assert.ok(r.ok, r.ok ? '' : r.error.map((i) => i.message).join('\n'));
    const rendered = renderTree(r.value.model);
    const dir = join(golden, name);
    if (updatingGolden()) {
      await rm(dir, { recursive: true, force: true });
      for (const [path, f] of rendered.files) {
        await mkdir(dirname(join(dir, path)), { recursive: true });
        await writeFile(join(dir, path), f.body);
      }
    }
    assert.deepEqual(
      [...rendered.files.keys()].sort(),
      await walk(dir),
      'the set of rendered files',
    );
    for (const [path, f] of rendered.files) {
      assert.equal(f.body.toString('utf8'), readGolden(join(dir, path)), path);
    }
  });
}

test('the same model always renders the same bytes', async () => {
  const file = join(scenarios, 'mixed-firmware', 'appliance.yaml');
  const text = await readFile(file, 'utf8');
  const a = loadConfigText(text, file);
  const b = loadConfigText(text, file);
  assert.ok(a.ok && b.ok);
  const ra = renderTree(a.value.model);
  const rb = renderTree(b.value.model);
  for (const [p, f] of ra.files) assert.equal(f.etag, rb.files.get(p)?.etag, p);
});
