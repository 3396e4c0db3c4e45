/** Each mistake that breaks a boot without a word from the phone is one error at its line:col. */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { smallYamlHead } from '../../test/lib/small-yaml.ts';
import { formatIssue } from './issues.ts';
import { loadConfigText } from './load.ts';

const BASE = `${smallYamlHead('ftp')}    vlan: { id: 200 }
    directory:
      - { firstName: Front, lastName: Desk, contact: "100", speedDial: 1 }
      - { firstName: Back, lastName: Office, contact: "101", speedDial: 2 }
phones:
  "00:04:f2:80:62:d6": { site: hq, model: VVX410 }
`;

function issues(from: string, to: string): string[] {
  assert.ok(BASE.includes(from), from);
  const r = loadConfigText(BASE.replace(from, to), 'appliance.yaml');
  return r.ok ? r.value.warnings.map(formatIssue) : r.error.map(formatIssue);
}

test('the base file is clean', () =>
  assert.deepEqual(issues('', ''), [
    'appliance.yaml:11:5 warning: sites.hq.bootServer: boot server uses the factory default PlcmSpIp/PlcmSpIp account: fine on an isolated lab VLAN, change it elsewhere',
  ]));

const cases: [string, string, string, RegExp][] = [
  [
    'VLAN option = boot server option',
    'vlan: { id: 200 }',
    'vlan: { id: 200, option: 160 }',
    /^appliance\.yaml:12:30 sites\.hq\.vlan\.option: VLAN discovery in option 160 would replace the boot server \(160\)/,
  ],
  [
    'VLAN option = a configured option',
    'vlan: { id: 200 }',
    'vlan: { id: 200, option: 150 }\n    options: [ { code: 150, type: ip, value: 10.20.0.2 } ]',
    /^appliance\.yaml:12:30 sites\.hq\.vlan\.option: VLAN discovery in option 150 would replace option 150 of the site/,
  ],
  [
    'fixed VLAN options = a configured option',
    'vlan: { id: 200 }',
    'vlan: { id: 200 }\n    options: [ { code: 128, type: string, value: x } ]',
    /^appliance\.yaml:12:11 sites\.hq\.vlan\.option: VLAN discovery in option 128 would replace option 128 of the site/,
  ],
  [
    'boot server on a disabled service',
    '  interface: eth1\n',
    '  interface: eth1\n  services: { ftp: { enabled: false } }\n',
    /^appliance\.yaml:12:17 sites\.hq\.bootServer: the boot server is ftp:\/\/ but services\.ftp is disabled/,
  ],
  [
    'directory ct repeated',
    'contact: "101"',
    'contact: "100"',
    /^appliance\.yaml:15:55 sites\.hq\.directory\.entries\.1\.contact: contact "100" is listed twice/,
  ],
  [
    'directory speed dial repeated',
    'speedDial: 2',
    'speedDial: 1',
    /^appliance\.yaml:15:73 sites\.hq\.directory\.entries\.1\.speedDial: speed dial 1 is used twice/,
  ],
  [
    'directory ct missing',
    ', contact: "101"',
    '',
    /^appliance\.yaml:15:9 sites\.hq\.directory\.entries\.1\.contact: missing required key/,
  ],
  [
    'directory name over 40 bytes',
    'firstName: Back',
    `firstName: "${'é'.repeat(21)}"`,
    /^appliance\.yaml:15:22 sites\.hq\.directory\.entries\.1\.firstName: is over 40 bytes of UTF-8/,
  ],
  [
    'directory speed dial out of range',
    'speedDial: 2',
    'speedDial: 10000',
    /^appliance\.yaml:15:73 sites\.hq\.directory\.entries\.1\.speedDial: Too big/,
  ],
  [
    'directory ring type out of range',
    'speedDial: 2',
    'speedDial: 2, ringType: 22',
    /^appliance\.yaml:15:86 sites\.hq\.directory\.entries\.1\.ringType: Too big/,
  ],
  [
    'phone directory repeats the site',
    '{ site: hq, model: VVX410 }',
    '{ site: hq, model: VVX410, directory: [ { contact: "101" } ] }',
    /^appliance\.yaml:17:75 phones\.00:04:f2:80:62:d6\.directory\.0\.contact: contact "101" is listed twice/,
  ],
];

for (const [name, from, to, pattern] of cases) {
  test(name, () => {
    const found = issues(from, to).filter((i) => !i.includes('PlcmSpIp'));
    assert.equal(found.length, 1, found.join('\n'));
    assert.match(found[0]!, pattern);
  });
}

test('a custom VLAN option is a warning: phones default to Fixed mode', () => {
  const found = issues(
    'vlan: { id: 200 }',
    'vlan: { id: 200, option: 150 }',
  ).filter((i) => !i.includes('PlcmSpIp'));
  assert.deepEqual(found, [
    'appliance.yaml:12:30 warning: sites.hq.vlan.option: phones look for VLAN discovery in options 128/144/157/191 (Fixed mode) unless set to Custom with option 150 (device.dhcp.dvdOptVlan) beforehand',
  ]);
});

test('the directory takes the full object form with readOnly', () => {
  const r = loadConfigText(
    BASE.replace(
      '    directory:\n',
      '    directory:\n      readOnly: true\n      entries:\n',
    ).replace(/ {6}- \{/g, '        - {'),
    'appliance.yaml',
  );
  assert.ok(r.ok, r.ok ? '' : r.error.map(formatIssue).join('\n'));
  assert.equal(r.value.model.sites.get('hq')!.directory.readOnly, true);
  assert.deepEqual(
    r.value.model.sites.get('hq')!.directory.entries.map((e) => e.contact),
    ['100', '101'],
  );
});
