/**
 * `appliance export dnsmasq` against the appliance, in network namespaces: dnsmasq running the exported file
 * gives the same clients as test/export-kea.test.ts (test/export/clients.ts) the same address pools and the
 * same policy options as the appliance. Also: dnsmasq --test accepts the exported files, and a policy dnsmasq
 * cannot express exits 2 with the reason on stderr.
 */

import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { CLIENT_COMMANDS, differential } from './export/differential.ts';
import { checkExported, runExport, writeFixture } from './export/servers.ts';
import { labSkip } from './lib/dhcp-lab.ts';
import { tempDir } from './lib/temp-dir.ts';

const skip = await labSkip([...CLIENT_COMMANDS, 'dnsmasq']);

test('dnsmasq running the exported policy answers like the appliance', {
  skip,
  timeout: 170_000,
}, async () => {
  const r = await differential('expd', ['dnsmasq']);
  // The one difference the export reports (DHCP_EXPORT_DNSMASQ_NUL): dnsmasq appends a NUL to option 66, which
  // only the raw INFORM ACK shows (the DHCP clients drop it). Anything else fails.
  const inform = r.seen.appliance['hq-inform']!;
  assert.equal(r.seen.dnsmasq['hq-inform']!.opt66, `${inform.opt66}00`);
  const others = r.differences.filter(
    (d) => !d.startsWith('hq-inform opt66: '),
  );
  assert.deepEqual(others, [], JSON.stringify(r.seen, null, 1));
  const bin = r.seen.dnsmasq['hq-binary']!;
  assert.equal(bin.address, 'pool hq');
  assert.equal(
    bin.new_tftp_list,
    '10.93.1.1',
    'class soundpoint from the binary option 60',
  );
  assert.equal(r.seen.dnsmasq['hq-reserved']!.address, '10.93.1.50');
  assert.equal(r.seen.dnsmasq['remote-relay']!.address, 'pool remote');
});

test('dnsmasq --test accepts the export; what dnsmasq cannot express exits 2 and is named', {
  skip,
  timeout: 60_000,
}, async () => {
  const dir = tempDir('export-dnsmasq-t-');
  const yaml = writeFixture(dir);
  const plain = await runExport('dnsmasq', yaml, join(dir, 'dnsmasq.conf'));
  assert.equal(plain.code, 0, plain.stderr);
  assert.match(plain.stderr, /dnsmasq: differs sites\.hq\.vlan/);
  await checkExported('dnsmasq', plain.file);

  const bad = join(dir, 'bad.yaml');
  writeFileSync(
    bad,
    readFileSync(yaml, 'utf8').replace(
      'relays: [10.93.3.1]',
      'relays: [10.93.9.1]',
    ),
  );
  const lost = await runExport('dnsmasq', bad, join(dir, 'bad.conf'));
  assert.equal(lost.code, 2, lost.stderr);
  assert.match(
    lost.stderr,
    /dnsmasq: cannot express sites\.branch\.relays: .*10\.93\.9\.1.*\[DHCP_EXPORT_DNSMASQ_RELAY\]/,
  );
  await checkExported('dnsmasq', lost.file);
});
