import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  decodeSubOptions,
  decodeVivso,
  encodeSubOptions,
  encodeVivso,
} from './sub-options.ts';

const b = (...x: number[]) => Uint8Array.from(x);

test('option 43 sub-options encode as code/len/value and decode back', () => {
  const r = encodeSubOptions([
    [1, b(10, 1, 0, 2)],
    [2, b()],
    [255, b(7)],
  ]);
  assert.ok(r.ok);
  assert.deepEqual(Array.from(r.value), [1, 4, 10, 1, 0, 2, 2, 0, 255, 1, 7]);
  const d = decodeSubOptions(r.value);
  assert.ok(d.ok);
  assert.deepEqual(
    d.value.map(([c, v]) => [c, Array.from(v)]),
    [
      [1, [10, 1, 0, 2]],
      [2, []],
      [255, [7]],
    ],
  );
  assert.equal(encodeSubOptions([[256, b()]]).ok, false);
  assert.equal(encodeSubOptions([[1, new Uint8Array(256)]]).ok, false);
  assert.equal(decodeSubOptions(b(1)).ok, false);
  assert.equal(decodeSubOptions(b(1, 3, 0, 0)).ok, false);
  assert.deepEqual(decodeSubOptions(b()), { ok: true, value: [] });
});

test('option 125 (RFC 3925): per-enterprise data with sub-options', () => {
  const r = encodeVivso([
    { enterprise: 0x1234, subOptions: [[3, b(0x41)]] },
    {
      enterprise: 13885,
      subOptions: [
        [1, b(1, 2)],
        [2, b(3)],
      ],
    },
  ]);
  assert.ok(r.ok);
  assert.deepEqual(
    Array.from(r.value),
    [0, 0, 0x12, 0x34, 3, 3, 1, 0x41, 0, 0, 0x36, 0x3d, 7, 1, 2, 1, 2, 2, 1, 3],
  );
  const d = decodeVivso(r.value);
  assert.ok(d.ok);
  assert.equal(d.value.length, 2);
  assert.equal(d.value[1]!.enterprise, 13885);
  assert.deepEqual(
    d.value[1]!.subOptions.map(([c, v]) => [c, Array.from(v)]),
    [
      [1, [1, 2]],
      [2, [3]],
    ],
  );
  assert.equal(encodeVivso([{ enterprise: -1, subOptions: [] }]).ok, false);
  assert.equal(
    encodeVivso([
      {
        enterprise: 1,
        subOptions: Array.from(
          { length: 2 },
          () => [1, new Uint8Array(200)] as const,
        ),
      },
    ]).ok,
    false,
  );
  assert.equal(decodeVivso(b(0, 0, 0, 1)).ok, false);
  assert.equal(decodeVivso(b(0, 0, 0, 1, 5, 1)).ok, false);
  assert.equal(decodeVivso(b(0, 0, 0, 1, 2, 1, 5)).ok, false);
  assert.equal(
    encodeVivso([{ enterprise: 0xffffffff, subOptions: [] }]).ok,
    true,
  );
});
