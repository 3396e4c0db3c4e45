import assert from 'node:assert/strict';
import { test } from 'node:test';
import { rawTreePath } from './request-path.ts';

test('request targets become raw tree paths, decoded once, never resolved', () => {
  const cases: [string, string][] = [
    ['/000000000000.cfg', '/000000000000.cfg'],
    ['/hq/0004f28062d6-phone.cfg?x=1', '/hq/0004f28062d6-phone.cfg'],
    ['/a%20b.cfg', '/a b.cfg'],
    ['/../etc/passwd', '/../etc/passwd'],
    ['/%2e%2e/etc/passwd', '/../etc/passwd'],
    ['/%252e%252e/x', '/%2e%2e/x'],
    ['//etc/passwd', '//etc/passwd'],
    ['/a%5cb', '/a\\b'],
    ['/a%00b', '/a\u0000b'],
    ['http://10.0.0.1/hq/x.cfg', '/hq/x.cfg'],
    ['http://10.0.0.1', '/'],
    ['/', '/'],
    ['/x#frag', '/x'],
  ];
  for (const [t, want] of cases) {
    const r = rawTreePath(t);
    assert.ok(r.ok, t);
    assert.equal(r.value, want, t);
  }
});

test('undecodable or odd targets are refused', () => {
  for (const t of ['/%', '/%zz', '/%c0%af', '*', 'x/y'])
    assert.equal(rawTreePath(t).ok, false, t);
});
