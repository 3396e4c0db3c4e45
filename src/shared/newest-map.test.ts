import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setNewest } from './newest-map.ts';

test('setNewest: a key set again becomes the newest; the oldest go beyond max', () => {
  const m = new Map<string, number>();
  setNewest(m, 'a', 1, 2);
  setNewest(m, 'b', 2, 2);
  setNewest(m, 'a', 3, 2); // a is now newer than b
  setNewest(m, 'c', 4, 2); // b, the oldest, goes
  assert.deepEqual(
    [...m],
    [
      ['a', 3],
      ['c', 4],
    ],
  );
});
