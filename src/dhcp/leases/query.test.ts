import assert from 'node:assert/strict';
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { labModel } from '../../../test/lib/admin/fixture.ts';
import { tempDir } from '../../../test/lib/temp-dir.ts';
import { parseIpv4 } from '../../shared/ipv4.ts';
import { silentLogger } from '../../shared/log.ts';
import type { Mac } from '../../shared/mac.ts';
import { formatRecord } from './journal-format.ts';
import { createLeaseQuery } from './query.ts';
import { JOURNAL_FILE, offlineLeases, replayLeases } from './replay.ts';
import { openLeaseStore } from './store.ts';
import { createLeaseTable, type LeaseTable } from './table.ts';

const ip = (s: string): number => {
  const r = parseIpv4(s);
  if (!r.ok) throw new Error(s);
  return r.value;
};
/** A bound lease on `at` for `mac` until `expires`. */
const bind = (table: LeaseTable, at: string, mac: Mac, expires: number): void =>
  table.apply({ kind: 'bind', ip: ip(at), mac, expires });
const A = '0004f2a00001' as Mac;
const B = '0004f2a00002' as Mac;
const C = '0004f2a00003' as Mac;
// Site hq: pool 10.91.10.100-199; branch: 10.92.10.50-59. Phone A has a fixed address in hq's pool.
const model = labModel({
  phones: { [A]: '{ site: hq, model: VVX410, address: 10.91.10.150 }' },
});
const ref = { current: () => model };
const NOW = 1_000_000;

test('snapshot: leases sorted by address with site and state; pool usage counts active leases, quarantines, reservations', () => {
  const table = createLeaseTable();
  bind(table, '10.92.10.55', B, NOW + 1);
  bind(table, '10.91.10.120', C, NOW - 1);
  bind(table, '10.91.10.101', A, NOW + 60_000);
  table.apply({ kind: 'decline', ip: ip('10.91.10.102'), until: NOW + 5 });
  const q = createLeaseQuery(table, ref, { badLines: 2 });
  const snap = q.snapshot(NOW);
  assert.deepEqual(
    snap.leases.map((l) => [l.ip, l.mac, l.site, l.active]),
    [
      ['10.91.10.101', A, 'hq', true],
      ['10.91.10.120', C, 'hq', false],
      ['10.92.10.55', B, 'branch', true],
    ],
  );
  assert.equal(snap.badLines, 2);
  assert.deepEqual(snap.pools, [
    {
      site: 'hq',
      mode: 'authoritative',
      subnet: '10.91.10.0/24',
      size: 100,
      used: 1,
      declined: 1,
      reserved: 1,
      free: 97,
    },
    {
      site: 'branch',
      mode: 'authoritative',
      subnet: '10.92.10.0/24',
      size: 10,
      used: 1,
      declined: 0,
      reserved: 0,
      free: 9,
    },
  ]);
  assert.deepEqual(q.pools(NOW), snap.pools);
  // The query reads the table it was given: a change is seen at once.
  table.apply({ kind: 'release', ip: ip('10.92.10.55'), mac: B });
  assert.equal(q.pools(NOW)[1]!.used, 0);
});

test('macForAddress: a live lease, else the fallback the server gives (its DHCPINFORM bindings)', () => {
  const table = createLeaseTable();
  bind(table, '10.91.10.101', A, NOW + 1);
  bind(table, '10.91.10.102', B, NOW - 1);
  const asked: number[] = [];
  const q = createLeaseQuery(table, ref, {
    badLines: 0,
    now: () => NOW,
    otherwise: (n) => {
      asked.push(n);
      return n === ip('10.91.10.7') ? C : undefined;
    },
  });
  assert.equal(q.macForAddress('10.91.10.101'), A);
  assert.equal(
    q.macForAddress('10.91.10.102'),
    undefined,
    'an expired lease names nobody',
  );
  assert.equal(q.macForAddress('10.91.10.7'), C);
  assert.equal(q.macForAddress('not an address'), undefined);
  assert.deepEqual(asked, [ip('10.91.10.102'), ip('10.91.10.7')]);
});

test('replayLeases rebuilds what the store held; offlineLeases answers from the journal on disk', async () => {
  const dir = tempDir('dhcp-replay-');
  const store = await openLeaseStore(dir, silentLogger());
  await store.commit([
    { kind: 'bind', ip: ip('10.91.10.100'), mac: A, expires: NOW + 10 },
    { kind: 'bind', ip: ip('10.91.10.105'), mac: B, expires: NOW + 10 },
  ]);
  await store.commit([
    { kind: 'bind', ip: ip('10.91.10.106'), mac: A, expires: NOW + 20 },
    { kind: 'release', ip: ip('10.91.10.105'), mac: B },
  ]);
  await store.commit([
    { kind: 'decline', ip: ip('10.91.10.107'), until: NOW + 30 },
  ]);
  const live = store.table.entries();
  await store.close();
  appendFileSync(
    join(dir, JOURNAL_FILE),
    formatRecord({
      kind: 'bind',
      ip: ip('10.91.10.108'),
      mac: C,
      expires: 1,
    }).slice(0, 9),
  ); // torn
  const r = replayLeases(dir);
  assert.deepEqual(r.table.entries(), live);
  assert.equal(r.bad, 1);
  const snap = offlineLeases(dir, ref).snapshot(NOW);
  assert.deepEqual(
    snap.leases.map((l) => `${l.ip} ${l.mac}`),
    [`10.91.10.106 ${A}`],
  );
  assert.deepEqual(
    [snap.pools[0]!.used, snap.pools[0]!.declined, snap.badLines],
    [1, 1, 1],
  );
  assert.deepEqual(
    replayLeases(join(dir, 'none')).table.entries(),
    { leases: [], declined: [] },
    'no journal yet: no leases',
  );
});
