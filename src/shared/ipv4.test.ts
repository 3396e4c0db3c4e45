import { test } from 'node:test';
import assert from 'node:assert/strict';
import { plainAddress } from './ipv4.ts';

test('peer addresses lose the IPv4-mapped prefix', () => {
  assert.equal(plainAddress('::ffff:10.0.0.2'), '10.0.0.2');
  assert.equal(plainAddress('fe80::1'), 'fe80::1');
  assert.equal(plainAddress(undefined), 'unknown');
  assert.equal(plainAddress(undefined, ''), '');
});
