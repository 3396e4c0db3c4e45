import assert from 'node:assert/strict';
import { appendFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { tempDir } from '../../../test/lib/temp-dir.ts';
import { silentLogger } from '../../shared/log.ts';
import type { Mac } from '../../shared/mac.ts';
import { formatRecord, parseRecord } from './journal-format.ts';
import { JOURNAL_FILE, openLeaseStore } from './store.ts';

const mac = (n: number): Mac =>
  `0004f2${n.toString(16).padStart(6, '0')}` as Mac;

test('records round-trip; garbage is rejected', () => {
  const r = {
    kind: 'bind',
    ip: 0x0a5b0264,
    mac: mac(1),
    expires: 1_700_000_000_000,
  } as const;
  assert.equal(formatRecord(r), 'b 10.91.2.100 0004f2000001 1700000000000\n');
  assert.deepEqual(parseRecord(formatRecord(r).trim()), r);
  for (const bad of [
    '',
    'b',
    'b 10.91.2.300 0004f2000001 1',
    'x 1.2.3.4',
    'b 1.2.3.4 zz 1',
    'd 1.2.3.4 -1',
  ])
    assert.equal(parseRecord(bad), undefined, bad);
});

test('leases survive a restart; a torn last line is skipped; compaction keeps only live entries', async () => {
  const dir = tempDir('dhcp-store-');
  const a = await openLeaseStore(dir, silentLogger(), { compactMin: 50 });
  for (let i = 0; i < 200; i++)
    await a.commit([
      {
        kind: 'bind',
        ip: 0x0a000000 + (i % 20),
        mac: mac(i % 20),
        expires: 1000 + i,
      },
    ]);
  await a.commit([
    { kind: 'release', ip: 0x0a000001, mac: mac(1) },
    { kind: 'decline', ip: 0x0a000002, until: 5000 },
  ]);
  await a.close();
  appendFileSync(join(dir, JOURNAL_FILE), 'b 10.0.0.9 0004f2'); // crash mid-write
  const b = await openLeaseStore(dir, silentLogger());
  assert.equal(b.table.size(), 18);
  assert.equal(b.table.leaseOf(mac(0))?.expires, 1000 + 180);
  assert.equal(b.table.leaseOf(mac(1)), undefined);
  assert.deepEqual(b.table.occupant(0x0a000002, 0), { kind: 'declined' });
  await b.close();
  const lines = readFileSync(join(dir, JOURNAL_FILE), 'utf8')
    .trim()
    .split('\n');
  assert.equal(
    lines.length,
    19,
    'compacted at start: 18 leases + 1 quarantine',
  );
});

test('group commit: many concurrent commits resolve, all durable', async () => {
  const dir = tempDir('dhcp-store-');
  const s = await openLeaseStore(dir, silentLogger());
  await Promise.all(
    Array.from({ length: 2000 }, (_, i) =>
      s.commit([
        { kind: 'bind', ip: 0x0a010000 + i, mac: mac(i), expires: 9e12 },
      ]),
    ),
  );
  await s.close();
  const t = await openLeaseStore(dir, silentLogger());
  assert.equal(t.table.size(), 2000);
  await t.close();
});

test('compaction running between group commits loses nothing; close waits for queued records', async () => {
  const dir = tempDir('dhcp-store-');
  const s = await openLeaseStore(dir, silentLogger(), { compactMin: 10 });
  const acked: number[] = [];
  const all: Promise<void>[] = [];
  for (let round = 0; round < 20; round++) {
    // Rebinding the same 30 addresses keeps the table small, so compaction triggers again and again.
    for (let i = 0; i < 30; i++)
      all.push(
        s
          .commit([
            {
              kind: 'bind',
              ip: 0x0a020000 + i,
              mac: mac(i),
              expires: 1000 + round,
            },
          ])
          .then(() => {
            acked.push(i);
          }),
      );
    await new Promise((r) => setImmediate(r));
  }
  // Not awaited: close must still write every queued record.
  const late = s.commit([
    { kind: 'bind', ip: 0x0a020100, mac: mac(999), expires: 7 },
  ]);
  await s.close();
  await Promise.all([...all, late]);
  assert.equal(acked.length, 600);
  const t = await openLeaseStore(dir, silentLogger());
  assert.equal(t.table.size(), 31);
  for (let i = 0; i < 30; i++)
    assert.equal(
      t.table.leaseOf(mac(i))?.expires,
      1019,
      `lease ${i} has its last expiry`,
    );
  assert.equal(t.table.leaseOf(mac(999))?.ip, 0x0a020100);
  await t.close();
});

test('commitCb: nothing to persist calls back at once; a bind only once durable', async () => {
  const dir = tempDir('dhcp-store-');
  const s = await openLeaseStore(dir, silentLogger());
  let held = false;
  assert.equal(
    s.commitCb(
      [{ kind: 'hold', ip: 0x0a030001, mac: mac(1), until: 5 }],
      () => {
        held = true;
      },
    ),
    false,
  );
  assert.ok(held, 'hold-only commit completes synchronously');
  let bound = false;
  const done = new Promise<void>((resolve) => {
    s.commitCb(
      [{ kind: 'bind', ip: 0x0a030001, mac: mac(1), expires: 9 }],
      (e) => {
        assert.equal(e, undefined);
        bound = true;
        resolve();
      },
    );
  });
  assert.equal(bound, false, 'a bind is not durable synchronously');
  await done;
  assert.ok(
    readFileSync(join(dir, JOURNAL_FILE), 'utf8').includes(
      'b 10.3.0.1 0004f2000001 9\n',
    ),
  );
  assert.ok(s.flushes.count >= 1);
  await s.close();
});
