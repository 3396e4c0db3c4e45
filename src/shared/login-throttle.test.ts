import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  createLoginThrottle,
  DEFAULT_SCHEDULE,
  minimumTime,
  waitAfter,
} from './login-throttle.ts';

test('the schedule: free failures, then doubling waits up to the cap; 3,000 failures take hours', () => {
  assert.deepEqual(
    [0, 4, 5, 6, 7, 13, 14, 100].map((n) => waitAfter(n)),
    [0, 0, 100, 200, 400, 25_600, 30_000, 30_000],
  );
  assert.equal(
    minimumTime(20),
    100 + 200 + 400 + 800 + 1600 + 3200 + 6400 + 12_800 + 25_600 + 5 * 30_000,
  );
  assert.equal(minimumTime(6), 0);
  assert.ok(minimumTime(3000) > 24 * 3600_000, `${minimumTime(3000)} ms`);
  assert.equal(DEFAULT_SCHEDULE.free, 5);
});

test('attempts of one address are spaced by its failures, whatever the order; a success resets; others are not affected', () => {
  let t = 0;
  const th = createLoginThrottle(
    { free: 2, baseMs: 1000, capMs: 8000, maxWaiting: 3 },
    () => t,
  );
  const fail = (addr = 'a'): number => {
    const a = th.admit(addr)!;
    t += a.waitMs;
    a.done(false);
    return a.waitMs;
  };
  assert.deepEqual(
    [fail(), fail(), fail(), fail(), fail(), fail(), fail()],
    [0, 0, 0, 1000, 2000, 4000, 8000],
  );
  assert.equal(th.admit('b')!.waitMs, 0, 'another address is not slowed');
  // Parallel attempts each take the next slot; past maxWaiting they are refused at once.
  const p = [th.admit('a'), th.admit('a'), th.admit('a'), th.admit('a')];
  assert.deepEqual(
    p.map((x) => x?.waitMs),
    [8000, 16_000, 24_000, undefined],
  );
  assert.equal(th.stats.refused, 1);
  t += 24_000;
  p[0]!.done(true);
  p[1]!.done(false);
  p[2]!.done(false);
  assert.equal(th.failures('a'), 2);
  // Forgotten after a quiet spell.
  t += DEFAULT_SCHEDULE.forgetMs + 1;
  assert.equal(th.admit('a')!.waitMs, 0);
  assert.equal(th.failures('a'), 0);
});

test('the table is bounded', () => {
  const th = createLoginThrottle({ maxAddresses: 100 });
  for (let i = 0; i < 1000; i++)
    th.admit(`10.0.${i >> 8}.${i & 255}`)!.done(false);
  assert.equal(th.failures('10.0.0.0'), 0, 'the oldest address was forgotten');
  assert.equal(th.failures('10.0.3.231'), 1);
});

test('an address with no failures is not limited: a hundred logins at once are all checked at once', () => {
  const th = createLoginThrottle({ maxWaiting: 8 });
  const all = Array.from({ length: 100 }, () => th.admit('10.0.0.5'));
  assert.ok(all.every((a) => a !== undefined && a.waitMs === 0));
  for (const a of all) a!.done(true);
  assert.equal(th.stats.refused, 0);
});
