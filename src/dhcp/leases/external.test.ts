import assert from 'node:assert/strict';
import { appendFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { labModelRef } from '../../../test/lib/admin/fixture.ts';
import { waitFor } from '../../../test/lib/netns.ts';
import { tempDir } from '../../../test/lib/temp-dir.ts';
import { silentLogger } from '../../shared/log.ts';
import { startLeaseSource } from './external.ts';

const ref = labModelRef();
const H =
  'address,hwaddr,client_id,valid_lifetime,expire,subnet_id,fqdn_fwd,fqdn_rev,hostname,state,user_context\n';
const far = Math.floor(Date.now() / 1000) + 3600;
const kea = (ip: string, mac: string, valid = 3600): string =>
  `${ip},${mac},,${valid},${far},1,0,0,,0,\n`;

test('Kea source: missing at start, followed once it appears, appends and an LFC rewrite followed (watch and poll)', async () => {
  const dir = tempDir('lsrc-kea-');
  const path = join(dir, 'kea-leases4.csv');
  for (const pollMs of [60_000, 50]) {
    const src = startLeaseSource({
      source: { kind: 'kea', path: `${path}.${pollMs}` },
      model: ref,
      log: silentLogger(),
      debounceMs: 20,
      pollMs,
    });
    const p = `${path}.${pollMs}`;
    try {
      assert.equal(src.leases.macForAddress('10.91.10.100'), undefined);
      writeFileSync(p, H + kea('10.91.10.100', '00:04:f2:a0:00:01'));
      await waitFor(
        () => src.leases.macForAddress('10.91.10.100') === '0004f2a00001',
        5000,
        'file appeared',
      );
      appendFileSync(p, kea('10.91.10.101', '00:04:f2:a0:00:02'));
      await waitFor(
        () => src.leases.macForAddress('10.91.10.101') === '0004f2a00002',
        5000,
        'append read',
      );
      // LFC: the file moves to .1 and a new one starts; then .1 + .2 merge into .completed → .2
      renameSync(p, `${p}.1`);
      writeFileSync(p, H + kea('10.91.10.101', '00:04:f2:a0:00:02', 0));
      await waitFor(
        () => src.leases.macForAddress('10.91.10.101') === undefined,
        5000,
        'deletion in the new file',
      );
      assert.equal(
        src.leases.macForAddress('10.91.10.100'),
        '0004f2a00001',
        'kept from .1',
      );
      assert.equal(src.leases.snapshot(Date.now()).leases.length, 1);
      assert.equal(
        src.leases.pools(Date.now()).find((x) => x.site === 'hq')?.used,
        1,
      );
    } finally {
      await src.close();
    }
  }
});

test('dnsmasq source: a whole rewrite (rename into place) replaces the leases; bad lines counted in the snapshot', async () => {
  const dir = tempDir('lsrc-dnsmasq-');
  const path = join(dir, 'dnsmasq.leases');
  writeFileSync(path, `${far} 00:04:f2:a0:00:01 10.91.10.100 * *\n`);
  const src = startLeaseSource({
    source: { kind: 'dnsmasq', path },
    model: ref,
    log: silentLogger(),
    debounceMs: 20,
    pollMs: 60_000,
  });
  try {
    assert.equal(src.leases.macForAddress('10.91.10.100'), '0004f2a00001');
    writeFileSync(
      `${path}.new`,
      `${far} 00:04:f2:a0:00:02 10.91.10.100 * *\ngarbage\n`,
    );
    renameSync(`${path}.new`, path);
    await waitFor(
      () => src.leases.macForAddress('10.91.10.100') === '0004f2a00002',
      5000,
      'rewrite read',
    );
    assert.equal(src.leases.snapshot(Date.now()).badLines, 1);
  } finally {
    await src.close();
  }
});
