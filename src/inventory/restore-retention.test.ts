import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { labModel } from '../../test/lib/admin/fixture.ts';
import { createInventory, type InventorySnapshot } from './inventory.ts';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

test('a restored inventory does not keep the snapshot it was restored from (a second copy of every record)', async () => {
  const model = labModel();
  const mac = '0004f2000001';
  let snapshot: InventorySnapshot | undefined = JSON.parse(
    JSON.stringify({
      version: 1,
      savedAt: 1,
      phones: [
        {
          mac,
          known: false,
          firstSeen: 1,
          lastSeen: 2,
          downloads: 1,
          uploads: 0,
          errors: 0,
          files: { 'a.cfg': { downloads: 1, uploads: 0, failures: 0 } },
          timeline: [{ at: 2, kind: 'download', what: 'tftp', result: 'ok' }],
        },
      ],
      errors: [],
    }),
  );
  const parsed = new WeakRef(snapshot as object);
  const inventory = createInventory({
    model: { current: () => model },
    restore: snapshot,
  });
  snapshot = undefined;
  // A WeakRef keeps its target until the current job ends: collect in a later one.
  await new Promise((r) => setImmediate(r));
  gc();
  assert.equal(parsed.deref(), undefined, 'the parsed snapshot is still held');
  assert.equal(inventory.get(mac)?.timeline.length, 1);
  assert.equal(inventory.get(mac)?.files['a.cfg']?.downloads, 1);
});
