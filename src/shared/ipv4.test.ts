import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cidrBroadcast, parseCidr, plainAddress } from './ipv4.ts';

test('peer addresses lose the IPv4-mapped prefix', () => {
  assert.equal(plainAddress('::ffff:10.0.0.2'), '10.0.0.2');
  assert.equal(plainAddress('fe80::1'), 'fe80::1');
  assert.equal(plainAddress(undefined), 'unknown');
  assert.equal(plainAddress(undefined, ''), '');
});

test('the broadcast address of a subnet is its last address', () => {
  const c = (s: string) => {
    const r = parseCidr(s);
    assert.ok(r.ok);
    return r.value;
  };
  assert.equal(cidrBroadcast(c('10.90.0.0/24')), 0x0a5a00ff);
  assert.equal(cidrBroadcast(c('10.0.0.0/8')), 0x0affffff);
  assert.equal(cidrBroadcast(c('0.0.0.0/0')), 0xffffffff);
  assert.equal(cidrBroadcast(c('10.1.2.3/32')), 0x0a010203);
});
