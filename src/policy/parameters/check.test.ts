/**
 * appliance validate against the release catalog (testdata/polycomConfig.xsd, 3 lines, in a temp tftpboot):
 * typo → warning with the suggestion at its line:col; enum and range violations → errors; an index beyond
 * the family; model-suffixed names accepted; no XSD → one warning naming the release; --strict.
 */

import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { tempDir } from '../../../test/lib/temp-dir.ts';
import type { ConfigIssue } from '../../config/issues.ts';
import { loadApplianceText } from '../load.ts';

let boot = '';
before(() => {
  boot = tempDir('params-check-');
  mkdirSync(join(boot, 'ucs', 'Config'), { recursive: true });
  mkdirSync(join(boot, 'bare'));
  copyFileSync(
    fileURLToPath(new URL('./testdata/polycomConfig.xsd', import.meta.url)),
    join(boot, 'ucs', 'Config', 'polycomConfig.xsd'),
  );
});

const yaml = (phoneParams: string, extra = ''): string => `appliance:
  address: 10.20.0.2
  interface: eth1
  tftpboot: ${boot}
firmware:
  ucs: { version: 4.0.15.1009, folder: ucs }
  bare: { version: 5.9.7.4477, folder: bare }
defaults: { firmware: ucs }
parameters:
  tcpIpApp.sntp.gmtOffset: -21600
  dir.local.contacts.maxNum.VVX500: 500
sites:
  hq:
    subnet: 10.20.0.0/24
    pool: 10.20.0.100-10.20.0.199
    bootServer: { protocol: http }
    parameters: { device.syslog.facility: "" }
phones:
  "00:04:f2:80:62:d6":
    site: hq
    model: VVX410
    parameters:
${phoneParams}${extra}`;

const show = (issues: readonly ConfigIssue[], prefix = 'CFG_PARAM'): string[] =>
  issues
    .filter((i) => i.code.startsWith(prefix))
    .map(
      (i) =>
        `${i.line}:${i.col} ${i.severity} ${i.code} ${i.path}: ${i.message}`,
    );

test('a typo is a warning at the key, with the closest known name', () => {
  const r = loadApplianceText(
    yaml('      reg.1.adress: "1000"\n      reg.1.server.1.transport: TLS\n'),
    'appliance.yaml',
  );
  assert.ok(r.ok);
  assert.deepEqual(show(r.value.warnings), [
    '23:7 warning CFG_PARAM_UNKNOWN phones.00:04:f2:80:62:d6.parameters.reg.1.adress: not a parameter of firmware "ucs" (did you mean reg.1.address?)',
  ]);
});

test('an enumeration or a range violated is an error at the value', () => {
  const r = loadApplianceText(
    yaml(
      '      reg.1.server.1.transport: DNSsnaptr\n      tcpIpApp.sntp.resyncPeriod: 59\n',
    ),
    'appliance.yaml',
  );
  assert.ok(!r.ok);
  assert.deepEqual(show(r.error), [
    '23:33 error CFG_PARAM_VALUE phones.00:04:f2:80:62:d6.parameters.reg.1.server.1.transport: "DNSsnaptr" is not one of "UDPOnly" "TCPpreferred" "DNSnaptr" "TCPOnly" "TLS" (Enum_RegServerTransport in firmware "ucs")',
    '24:35 error CFG_PARAM_VALUE phones.00:04:f2:80:62:d6.parameters.tcpIpApp.sntp.resyncPeriod: "59" is not integer 60..2147483647 (UInt_60_2147483647 in firmware "ucs")',
  ]);
});

test('a password too long is an error that does not show the value', () => {
  const r = loadApplianceText(
    yaml(`      reg.1.auth.password: "${'s3cret'.repeat(10)}"\n`),
    'appliance.yaml',
  );
  assert.ok(!r.ok);
  assert.deepEqual(
    show(r.error).map((s) => s.replace(/^.*?: /, '')),
    ['the value is not string(0..49) (StringPassword_0_49 in firmware "ucs")'],
  );
  assert.ok(!JSON.stringify(r.error).includes('s3cret'));
});

test('reg.4 on a 3-line release is reported; --strict makes it and unknown names errors', () => {
  const params = '      reg.4.address: "1004"\n      reg.1.displayNam: x\n';
  const r = loadApplianceText(yaml(params), 'appliance.yaml');
  assert.ok(r.ok);
  assert.deepEqual(
    show(r.value.warnings).map((s) => s.split(': ').slice(1).join(': ')),
    [
      'index 4 is beyond reg.N.address\'s 1..3 in firmware "ucs"',
      'not a parameter of firmware "ucs" (did you mean reg.1.displayName?)',
    ],
  );
  const strict = loadApplianceText(yaml(params), 'appliance.yaml', {
    strict: true,
  });
  assert.ok(!strict.ok);
  assert.deepEqual(
    show(strict.error).map((s) => s.split(' ').slice(1, 3).join(' ')),
    ['error CFG_PARAM_INDEX', 'error CFG_PARAM_UNKNOWN'],
  );
});

test('model-suffixed template names and valid values pass: no finding at all', () => {
  const r = loadApplianceText(
    yaml(
      '      reg.1.address: "1000"\n      lineKey.4.category: BLF\n      dir.local.contacts.maxNum.VVX500: 500\n      device.set: true\n',
    ),
    'appliance.yaml',
  );
  assert.ok(r.ok);
  assert.deepEqual(show(r.value.warnings), []);
});

test('a release without an XSD: one warning naming it, its parameters unchecked', () => {
  const r = loadApplianceText(
    yaml(
      '      no.such.parameter: 1\n      reg.99.address: x\n',
      '    firmware: bare\n',
    ),
    'appliance.yaml',
  );
  assert.ok(r.ok);
  assert.deepEqual(show(r.value.warnings), [
    '7:3 warning CFG_PARAM_NO_CATALOG firmware.bare: no polycomConfig.xsd in bare/: parameters of phones running "bare" are not checked',
  ]);
});
