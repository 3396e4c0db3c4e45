import assert from 'node:assert/strict';
import { test } from 'node:test';
import { negotiate, oackWithSize } from './negotiate.ts';

const o = (...kv: string[]): { name: string; value: string }[] => {
  const out = [];
  for (let i = 0; i < kv.length; i += 2)
    out.push({ name: kv[i]!, value: kv[i + 1]! });
  return out;
};

test('names are case-insensitive; blksize clamped; windowsize capped; OACK in client order', () => {
  const n = negotiate(
    'rrq',
    o('TSIZE', '0', 'BlkSize', '9000', 'WINDOWSIZE', '500', 'Timeout', '3'),
    { maxBlksize: 1468 },
  );
  assert.equal(n.blksize, 1468);
  assert.equal(n.windowsize, 64);
  assert.equal(n.timeoutMs, 3000);
  assert.equal(n.tsizeRequested, true);
  assert.deepEqual(
    oackWithSize(n, 4096),
    o('tsize', '4096', 'blksize', '1468', 'windowsize', '64', 'timeout', '3'),
  );
});

test('out-of-range and unknown options are dropped: no OACK when nothing is accepted', () => {
  const n = negotiate(
    'rrq',
    o(
      'blksize',
      '7',
      'timeout',
      '0',
      'timeout2',
      '5',
      'windowsize',
      '0',
      'multicast',
      '',
      'blksize',
      '1024',
    ),
    { maxBlksize: 1468 },
  );
  assert.deepEqual(n.oack, []);
  assert.equal(n.blksize, 512);
  assert.equal(n.windowsize, 1);
  assert.deepEqual(
    negotiate('rrq', o('blksize', 'x12'), { maxBlksize: 1468 }).oack,
    [],
  );
});

test('WRQ tsize is the declared size and is echoed', () => {
  const n = negotiate('wrq', o('tsize', '2048', 'blksize', '512'), {
    maxBlksize: 512,
  });
  assert.equal(n.tsize, 2048);
  assert.deepEqual(n.oack, o('tsize', '2048', 'blksize', '512'));
});

test('RRQ tsize is dropped from the OACK when the size is unknown', () => {
  const n = negotiate('rrq', o('tsize', '0'), { maxBlksize: 512 });
  assert.deepEqual(oackWithSize(n, undefined), []);
});

test('timeout above 10 s is left out of the OACK (RFC 2349: the value must match, so refuse by omission)', () => {
  for (const v of ['11', '255']) {
    const n = negotiate('rrq', o('timeout', v, 'blksize', '1024'), {
      maxBlksize: 1468,
    });
    assert.equal(n.timeoutMs, undefined, `timeout ${v}`);
    assert.deepEqual(n.oack, o('blksize', '1024'));
  }
  const ten = negotiate('wrq', o('timeout', '10'), { maxBlksize: 512 });
  assert.equal(ten.timeoutMs, 10_000);
  assert.deepEqual(ten.oack, o('timeout', '10'));
});
