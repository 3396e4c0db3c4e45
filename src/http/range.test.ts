import assert from 'node:assert/strict';
import { test } from 'node:test';
import { contentRange, decideRange, unsatisfiedRange } from './range.ts';

test('range decisions against a 1000-byte file', () => {
  const cases: [string | undefined, ReturnType<typeof decideRange>][] = [
    [undefined, { kind: 'none' }],
    ['bytes=0-99', { kind: 'range', start: 0, end: 99 }],
    ['bytes=100-199', { kind: 'range', start: 100, end: 199 }],
    ['bytes=900-', { kind: 'range', start: 900, end: 999 }],
    ['bytes=-100', { kind: 'range', start: 900, end: 999 }],
    ['bytes=-5000', { kind: 'range', start: 0, end: 999 }],
    ['bytes=990-5000', { kind: 'range', start: 990, end: 999 }],
    ['BYTES = 1-1', { kind: 'range', start: 1, end: 1 }],
    ['bytes=1000-', { kind: 'unsatisfiable' }],
    ['bytes=1000-2000', { kind: 'unsatisfiable' }],
    ['bytes=-0', { kind: 'unsatisfiable' }],
    ['bytes=0-1,5-6', { kind: 'multiple' }],
    ['bytes=2000-3000,0-1', { kind: 'multiple' }],
    ['bytes=2000-3000,4000-', { kind: 'unsatisfiable' }],
    ['bytes=5-1', { kind: 'none' }],
    ['bytes=-', { kind: 'none' }],
    ['bytes=a-b', { kind: 'none' }],
    ['items=0-1', { kind: 'none' }],
    ['bytes', { kind: 'none' }],
    ['bytes=', { kind: 'none' }],
    ['bytes=0-99999999999999999999', { kind: 'none' }],
  ];
  for (const [h, want] of cases)
    assert.deepEqual(decideRange(h, 1000), want, String(h));
});

test('an empty file satisfies no range', () => {
  assert.deepEqual(decideRange('bytes=0-', 0), { kind: 'unsatisfiable' });
  assert.deepEqual(decideRange('bytes=-1', 0), { kind: 'unsatisfiable' });
});

test('Content-Range values', () => {
  assert.equal(contentRange(100, 199, 1000), 'bytes 100-199/1000');
  assert.equal(unsatisfiedRange(1000), 'bytes */1000');
});

test('decideRange never throws on junk', () => {
  for (let i = 0; i < 2000; i++) {
    const s = Array.from({ length: i % 40 }, () =>
      String.fromCharCode(32 + Math.floor(Math.random() * 95)),
    ).join('');
    decideRange(`bytes=${s}`, 5000);
    decideRange(s, 5000);
  }
});
