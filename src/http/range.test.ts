import assert from 'node:assert/strict';
import { test } from 'node:test';
import { contentRange, decideRange, unsatisfiedRange } from './range.ts';

/**
 * Cases one a line, header and answer split on two or more spaces: "start-end" for a range, else the kind;
 * (absent) is no Range header at all.
 */
const DECISIONS = `
  (absent)                      none
  bytes=0-99                    0-99
  bytes=100-199                 100-199
  bytes=900-                    900-999
  bytes=-100                    900-999
  bytes=-5000                   0-999
  bytes=990-5000                990-999
  BYTES = 1-1                   1-1
  bytes=1000-                   unsatisfiable
  bytes=1000-2000               unsatisfiable
  bytes=-0                      unsatisfiable
  bytes=0-1,5-6                 multiple
  bytes=2000-3000,0-1           multiple
  bytes=2000-3000,4000-         unsatisfiable
  bytes=5-1                     none
  bytes=-                       none
  bytes=a-b                     none
  items=0-1                     none
  bytes                         none
  bytes=                        none
  bytes=0-99999999999999999999  none
`;

test('range decisions against a 1000-byte file', () => {
  for (const line of DECISIONS.trim().split('\n')) {
    const [header, answer] = line.trim().split(/ {2,}/) as [string, string];
    const h = header === '(absent)' ? undefined : header;
    const range = /^(\d+)-(\d+)$/.exec(answer);
    const want = range
      ? { kind: 'range', start: Number(range[1]), end: Number(range[2]) }
      : { kind: answer };
    assert.deepEqual(decideRange(h, 1000), want, header);
  }
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
