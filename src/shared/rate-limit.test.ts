import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createBoundedRateLimiter } from './rate-limit.ts';

type Limiter = ReturnType<typeof createBoundedRateLimiter>;
/** `n` requests from `key` at one instant: which were allowed. */
const burst = (l: Limiter, key: string, at: number, n: number) =>
  Array.from({ length: n }, () => l.allow(key, at));

test('a key gets its burst, then perSecond; other keys are unaffected', () => {
  const l = createBoundedRateLimiter({ burst: 3, perSecond: 2, maxKeys: 10 });
  assert.deepEqual(burst(l, 'a', 0, 4), [true, true, true, false]);
  assert.equal(l.allow('b', 0), true);
  assert.equal(l.allow('a', 499), false);
  assert.equal(l.allow('a', 500), true); // one token after half a second at 2/s
});

test('the key table never exceeds maxKeys, whatever the number of keys a flood brings', () => {
  const l = createBoundedRateLimiter({ burst: 2, perSecond: 1, maxKeys: 100 });
  for (let i = 0; i < 100_000; i++) {
    l.allow(`10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`, i / 100);
    assert.ok(l.size() <= 100);
  }
  // A busy key inserted just now survives the eviction of older ones.
  l.allow('busy', 2000);
  l.allow('busy', 2000);
  assert.equal(l.allow('busy', 2000), false);
});

test('sweep forgets keys whose bucket has refilled', () => {
  const rl = createBoundedRateLimiter({ burst: 3, perSecond: 2, maxKeys: 10 });
  assert.deepEqual(burst(rl, 'a', 1000, 4), [true, true, true, false]);
  assert.equal(rl.allow('a', 1400), false);
  assert.equal(rl.allow('a', 1500), true);
  rl.sweep(10_000);
  assert.equal(rl.size(), 0);
});
