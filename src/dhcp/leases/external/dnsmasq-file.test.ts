import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { formatIpv4 } from '../../../shared/ipv4.ts';
import { NEVER, parseDnsmasqLeases } from './dnsmasq-file.ts';

const text = readFileSync(
  join(import.meta.dirname, 'testdata', 'dnsmasq.leases'),
  'utf8',
);

test('dnsmasq lease file: expiry, MAC, address; 0 never expires; DHCPv6, duid and other hardware types passed over', () => {
  const r = parseDnsmasqLeases(text);
  assert.deepEqual(
    r.leases.map((l) => [formatIpv4(l.ip), l.mac, l.expires, l.state]),
    [
      ['10.93.1.100', '0004f2aa0001', 1_764_603_600_000, 'bound'],
      ['10.93.1.101', '0004f2aa0002', NEVER, 'bound'],
      ['10.93.1.102', '0004f2aa0003', 1_764_590_000_000, 'bound'],
    ],
  );
  assert.equal(
    r.bad,
    4,
    'a bad expiry, a bad address, a bad MAC, a line with no address',
  );
  assert.ok(
    JSON.stringify({ e: NEVER }).includes('8640000000000000'),
    'a never-expiring lease stays a number in JSON',
  );
});

test('dnsmasq parser is total: garbage never throws', () => {
  for (const t of [
    '',
    ' \n ',
    '0',
    '0 0 0',
    '\u0000\u00ff',
    'x '.repeat(5000),
  ]) {
    const r = parseDnsmasqLeases(t);
    assert.ok(r.bad >= 0 && Array.isArray(r.leases));
  }
});
