import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatOption } from './option-format.ts';

const b = (...x: number[]) => Uint8Array.from(x);

test('formatOption renders by catalog type and falls back to hex', () => {
  assert.equal(formatOption(2, b(0xff, 0xff, 0xab, 0xa0)), '-21600');
  assert.equal(
    formatOption(3, b(10, 0, 0, 1, 10, 0, 0, 2)),
    '10.0.0.1,10.0.0.2',
  );
  assert.equal(formatOption(3, b(10, 0, 0)), '0a0000');
  assert.equal(
    formatOption(160, Uint8Array.from(Buffer.from('http://x/'))),
    '"http://x/"',
  );
  assert.equal(formatOption(55, b(1, 3, 6)), '1,3,6');
  assert.equal(formatOption(43, b(1, 2, 0xaa, 0xbb)), '1=aabb');
  assert.equal(
    formatOption(125, b(0, 0, 0x36, 0x3d, 3, 1, 1, 0x41)),
    '13885:{1=41}',
  );
  assert.equal(
    formatOption(60, Uint8Array.from(Buffer.from('Polycom-VVX410'))),
    '"Polycom-VVX410"',
  );
  assert.equal(formatOption(119, b(3, 0x63, 0x6f, 0x6d, 0)), 'com');
  assert.equal(formatOption(120, b(1, 10, 0, 0, 1)), '10.0.0.1');
  assert.equal(formatOption(224, b(1, 2)), '0102');
});
