import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { formatIpv4 } from '../../../shared/ipv4.ts';
import { parseKeaLeases } from './kea-csv.ts';
import { tableOf } from './records.ts';

const fixture = (name: string): string =>
  readFileSync(join(import.meta.dirname, 'testdata', name), 'utf8');
const NOW = 1_764_600_000_000;
const rows = (
  texts: string[],
): [string, string | undefined, number, string][] =>
  parseKeaLeases(texts).leases.map((l) => [
    formatIpv4(l.ip),
    l.mac,
    l.expires,
    l.state,
  ]);

test('Kea lease4 CSV: the last line per address wins, valid_lifetime 0 deletes, states read, bad lines counted', () => {
  const parsed = parseKeaLeases([fixture('kea-leases4.csv')]);
  assert.equal(
    parsed.bad,
    4,
    'a bad address, a bad hwaddr, state 7, a short line with a non-number lifetime',
  );
  assert.deepEqual(rows([fixture('kea-leases4.csv')]), [
    ['10.93.1.101', '0004f2aa0002', 1_764_603_600_000, 'bound'], // escaped commas in hostname and user_context
    ['10.93.1.102', '0004f2aa0003', 1_764_590_000_000, 'reclaimed'],
    ['10.93.1.103', undefined, 1_764_600_600_000, 'declined'],
    ['10.93.1.100', '0004f2aa0001', 1_764_607_200_000, 'bound'], // renewed: moved to its last line
  ]);
});

test('Kea: columns found by the header (a later release adds pool_id); a file without one reads as Kea 2.2', () => {
  assert.deepEqual(rows([fixture('kea-leases4-pool-id.csv')]), [
    ['10.93.1.110', '0004f2aa0010', 1_764_603_600_000, 'bound'],
  ]);
  const reordered =
    'hwaddr,address,valid_lifetime,expire,state\n00:04:f2:aa:00:11,10.93.1.111,60,1764600060,0\n';
  assert.deepEqual(rows([reordered]), [
    ['10.93.1.111', '0004f2aa0011', 1_764_600_060_000, 'bound'],
  ]);
  const headless = fixture('kea-leases4.csv')
    .split('\n')
    .slice(1, 2)
    .join('\n');
  assert.deepEqual(rows([headless]), [
    ['10.93.1.100', '0004f2aa0001', 1_764_603_600_000, 'bound'],
  ]);
});

test('Kea after LFC: .2, .1 then the file itself, each with its header, later files superseding earlier ones', () => {
  const h =
    'address,hwaddr,client_id,valid_lifetime,expire,subnet_id,fqdn_fwd,fqdn_rev,hostname,state,user_context\n';
  const previous = `${h}10.93.1.100,00:04:f2:aa:00:01,,3600,1764603600,1,0,0,,0,\n10.93.1.101,00:04:f2:aa:00:02,,3600,1764603600,1,0,0,,0,\n`;
  const input = `${h}10.93.1.101,00:04:f2:aa:00:02,,0,1764600000,1,0,0,,0,\n`;
  const current = `${h}10.93.1.120,00:04:f2:aa:00:01,,3600,1764603600,1,0,0,,0,\n`;
  assert.deepEqual(
    rows([previous, input, current]).map((r) => r.slice(0, 2)),
    [
      ['10.93.1.100', '0004f2aa0001'],
      ['10.93.1.120', '0004f2aa0001'],
    ],
  );
  // The table keeps one address per MAC: the later one.
  const table = tableOf(parseKeaLeases([previous, input, current]), NOW);
  assert.equal(table.leaseOf('0004f2aa0001' as never)?.ip, 0x0a5d0178);
  assert.equal(table.size(), 1);
});

test('Kea records as a lease table: bound leases held, reclaimed ones expired, declined addresses quarantined', () => {
  const table = tableOf(parseKeaLeases([fixture('kea-leases4.csv')]), NOW);
  assert.deepEqual(table.occupant(0x0a5d0164, NOW), {
    kind: 'lease',
    mac: '0004f2aa0001',
  });
  assert.equal(
    table.occupant(0x0a5d0166, NOW),
    undefined,
    'reclaimed: nobody holds it',
  );
  assert.equal(
    table.leaseByIp(0x0a5d0166)?.mac,
    '0004f2aa0003',
    'but it is listed',
  );
  assert.deepEqual(table.occupant(0x0a5d0167, NOW), { kind: 'declined' });
  assert.equal(
    table.leaseByIp(0x0a5d0168),
    undefined,
    'deleted by valid_lifetime 0',
  );
});

test('Kea parser is total: garbage, binary and empty input never throw', () => {
  for (const t of [
    '',
    '\n\n',
    ',,,,,,',
    'address\n,,,',
    '\u0000\u0001\u00ff',
    'x'.repeat(10_000),
    'address,hwaddr\n10.0.0.1',
  ]) {
    const r = parseKeaLeases([t]);
    assert.ok(r.bad >= 0 && Array.isArray(r.leases));
  }
});
