import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { labModel } from '../../test/lib/admin/fixture.ts';
import type { Mac } from '../shared/mac.ts';
import { createInterner } from './intern.ts';
import { createInventory } from './inventory.ts';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const heapMB = (): number => {
  gc();
  gc();
  return process.memoryUsage().heapUsed / 1048576;
};
/** A new copy of s, as a packet decoder makes one per request. */
const fresh = (s: string): string => Buffer.from(s).toString();

test('the interner returns equal strings, and starts again past its bound', () => {
  const share = createInterner(3);
  for (const s of ['a', 'b', 'a', 'c', 'd', 'e', 'REQUEST→ACK', '123'])
    assert.equal(share(fresh(s)), s);
});

test('a timeline holds one copy of a repeated file name and address, not one per event', () => {
  const model = labModel();
  const inv = createInventory({
    model: { current: () => model },
    timelineMax: 20_000,
  });
  const name = `${'very-long-folder/'.repeat(60)}0004f2a00001.cfg`; // ~1 KB
  const before = heapMB();
  for (let i = 0; i < 10_000; i++)
    inv.apply({
      type: 'transfer',
      protocol: 'tftp',
      direction: 'download',
      peer: fresh('10.91.10.100'),
      mac: '0004f2a00001' as Mac,
      path: fresh(name),
      bytes: 900,
      durationMs: 1,
      result: 'ok',
    });
  const grew = heapMB() - before;
  assert.equal(inv.get('0004f2a00001')!.timeline.length, 10_000);
  // 10,000 copies of the name alone would be 10 MB; the entries themselves are about 1.5 MB.
  assert.ok(grew < 5, `the inventory grew by ${grew.toFixed(1)} MB`);
});
