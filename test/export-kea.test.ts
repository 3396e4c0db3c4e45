/**
 * `appliance export kea` against the appliance, in network namespaces: kea-dhcp4 running the exported file
 * gives udhcpc (ASCII option 60), dhclient (Polycom's binary option 60), a reserved phone, a relayed phone
 * and a dhcping INFORM the same address pools and the same policy options as the appliance
 * (test/export/clients.ts lists the cases). Also: kea-dhcp4 -t accepts the exported files, and a policy Kea
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

const skip = await labSkip([...CLIENT_COMMANDS, 'kea-dhcp4']);

test('kea-dhcp4 running the exported policy answers like the appliance', {
  skip,
  timeout: 170_000,
}, async () => {
  const r = await differential('expk', ['kea']);
  // The one difference the export reports (DHCP_EXPORT_KEA_BASIC): Kea adds routers, DNS and domain name to an
  // answer whose option 55 did not ask for them; dhcping's INFORM does not. Anything else fails.
  const inform = r.seen.kea['hq-inform']!;
  const hex = (s: string): string => Buffer.from(s).toString('hex');
  assert.deepEqual(
    [inform.opt3, inform.opt6, inform.opt15],
    ['0a5d01fe', '0a5d01350a5d0136', hex('lab.example')],
  );
  const basic = [
    'hq-inform opt3: appliance undefined',
    'hq-inform opt6: appliance undefined',
    'hq-inform opt15: appliance undefined',
  ];
  const others = r.differences.filter(
    (d) => !basic.some((b) => d.startsWith(b)),
  );
  assert.deepEqual(others, [], JSON.stringify(r.seen, null, 1));
  const hq = r.seen.kea['hq-ascii']!;
  assert.equal(hq.address, 'pool hq');
  assert.equal(
    hq.opt160,
    Buffer.from('ftp://PlcmSpIp:PlcmSpIp@10.93.1.1/hq').toString('hex'),
  );
  assert.equal(hq.opt128, Buffer.from('VLAN-A=200;').toString('hex'));
  assert.equal(r.seen.kea['hq-reserved']!.address, '10.93.1.50');
  assert.equal(
    r.seen.kea['remote-relay']!.opt157,
    Buffer.from('VLAN-A=300+301;').toString('hex'),
  );
});

test('kea-dhcp4 -t accepts every export; what Kea cannot express exits 2 and is named', {
  skip,
  timeout: 60_000,
}, async () => {
  const dir = tempDir('export-kea-t-');
  const yaml = writeFixture(dir);
  const plain = await runExport('kea', yaml, join(dir, 'kea.json'));
  assert.equal(plain.code, 0, plain.stderr);
  assert.match(
    plain.stderr,
    /kea: differs sites\.remote\.vlan: option 157 is a standard Kea option/,
  );
  assert.match(
    plain.stderr,
    /kea: differs sites\.hq,remote: Kea sends routers .*\[DHCP_EXPORT_KEA_BASIC\]/,
  );
  await checkExported('kea', plain.file);
  const ha = await runExport('kea', yaml, join(dir, 'kea-ha.json'), [
    '--ha',
    'http://10.93.1.1:8001/,http://10.93.1.2:8001/',
    '--ha-this',
    'standby',
  ]);
  assert.equal(ha.code, 0, ha.stderr);
  await checkExported('kea', ha.file);

  const bad = join(dir, 'bad.yaml');
  writeFileSync(
    bad,
    readFileSync(yaml, 'utf8').replace(
      'match: { model: SSIP6000 }',
      'match: { vendorClass: SSIP }',
    ),
  );
  const lost = await runExport('kea', bad, join(dir, 'bad.json'));
  assert.equal(lost.code, 2, lost.stderr);
  assert.match(
    lost.stderr,
    /kea: cannot express classes\.conference: match\.vendorClass "SSIP".*\[DHCP_EXPORT_VENDOR_CLASS_SUBSTRING\]/,
  );
  await checkExported('kea', lost.file);
});
