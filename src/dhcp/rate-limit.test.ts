import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRateLimiter } from './rate-limit.ts';

test('a MAC gets its burst, then one per refill interval; idle MACs are forgotten', () => {
  const rl = createRateLimiter({ burst: 3, perSecond: 2 });
  const allowed = [0, 0, 0, 0].map(() => rl.allow('a', 1000));
  assert.deepEqual(allowed, [true, true, true, false]);
  assert.equal(rl.allow('b', 1000), true, 'other MACs unaffected');
  assert.equal(rl.allow('a', 1400), false);
  assert.equal(rl.allow('a', 1500), true);
  rl.sweep(10_000);
  assert.equal(rl.size(), 0);
});
