/**
 * End to end: the real appliance (`appliance run`) in one namespace, appliance-phonesim in another.
 * One phone of each family (SoundPoint IP 650, SoundStation IP 6000, VVX 410) boots over each of TFTP, FTP and
 * HTTP (site boot server TFTP in options 66/160; per-phone option 160 moves phones to FTP and HTTP), with
 * addresses from the appliance's DHCP (VLAN discovery string, then DHCP again as on the new VLAN), bootROM + application upgrades, and uploads; the effective parameters
 * each phone computes must equal what appliance.yaml asks for, and every upload must be readable through the
 * tree at the path the phone used. Lab 10.91.8.0/24, prefix "sim".
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadConfigFile } from '../src/config/load.ts';
import { createTree } from '../src/tree/tree.ts';
import { firmwareYaml } from './lib/lab-yaml.ts';
import { applianceFolder, simSkip, startSimLab } from './lib/phonesim-lab.ts';

const skip = simSkip();

const FAMILIES = ['SPIP650', 'SSIP6000', 'VVX410'] as const;
const PROTOCOLS = ['tftp', 'ftp', 'http'] as const;
const mac = (i: number): string =>
  `0004f2a000${(i + 1).toString(16).padStart(2, '0')}`;

function yaml(): string {
  const phones: string[] = [];
  for (let i = 0; i < 9; i++) {
    const proto = PROTOCOLS[Math.floor(i / 3)]!;
    const url =
      proto === 'ftp'
        ? 'ftp://PlcmSpIp:PlcmSpIp@10.91.8.1'
        : proto === 'http'
          ? 'http://10.91.8.1'
          : undefined;
    const opt = url ? `, options: [ { code: 160, value: "${url}" } ]` : '';
    phones.push(
      `  "${mac(i)}": { site: lab, model: ${FAMILIES[i % 3]}, parameters: { reg.1.address: "10${i}", reg.1.label: "${proto}" }${opt} }`,
    );
  }
  return `appliance:
  address: 10.91.8.1
  interface: eth0
  tftpboot: ./tftpboot
  dataDir: ./data
  services: { admin: { enabled: false }, ftp: { pasvMin: 31000, pasvMax: 31100 } }
${firmwareYaml({ SSIP6000: 'parameters: { voice.volume.persist.handset: 1, reg.1.label: model-level }' })}parameters: { device.set: 1, tcpIpApp.sntp.address: 10.91.8.1 }
sites:
  lab:
    subnet: 10.91.8.0/24
    pool: 10.91.8.100-10.91.8.199
    bootServer: { protocol: tftp, path: "" }
    parameters: { voIpProt.server.1.address: pbx.lab.example, device.set: 0 }
    vlan: { id: [200, 300] }
    directory:
      - { firstName: Front, lastName: Desk, contact: "100" }
phones:
${phones.join('\n')}
`;
}

/** What appliance.yaml asks for, by hand: phone, then model, then site, then common (leftmost wins). */
function expected(i: number): Record<string, string> {
  const proto = PROTOCOLS[Math.floor(i / 3)]!;
  const out: Record<string, string> = {
    'reg.1.address': `10${i}`,
    'reg.1.label': proto,
    'voIpProt.server.1.address': 'pbx.lab.example',
    'device.set': '0',
    'tcpIpApp.sntp.address': '10.91.8.1',
    'up.backlight.idleIntensity': '1',
    // The appliance's syslog receiver is on by default: common.cfg points the phones at it.
    'device.syslog.serverName': '10.91.8.1',
    'device.syslog.transport': 'UDP',
    'device.syslog.facility': '16',
    'device.syslog.renderLevel': '1',
    'device.syslog.prependMac': '1',
    'device.syslog.serverName.set': '1',
    'device.syslog.transport.set': '1',
    'device.syslog.facility.set': '1',
    'device.syslog.renderLevel.set': '1',
    'device.syslog.prependMac.set': '1',
  };
  if (FAMILIES[i % 3] === 'SSIP6000') out['voice.volume.persist.handset'] = '1';
  return out;
}

test('each family boots over TFTP, FTP and HTTP from the real appliance; parameters and uploads as the yaml says', {
  skip,
  timeout: 120_000,
}, async () => {
  const { dir, yamlPath } = await applianceFolder(
    yaml(),
    [
      { folder: 'sp-4.0.11', name: '2345-12600-001.sip.ld', size: 400_000 },
      { folder: 'sp-4.0.11', name: '2345-12600-001.bootrom.ld', size: 150_000 },
      { folder: 'sp-4.0.11', name: '3111-15600-001.sip.ld', size: 420_000 },
      { folder: 'sp-4.0.11', name: '3111-15600-001.bootrom.ld', size: 160_000 },
      { folder: 'ucs-5.9.7', name: '3111-46162-001.sip.ld', size: 1_500_000 },
    ],
    { 'ucs-5.9.7/sip.ver': '5.9.7.4477' },
  );
  const sim = await startSimLab({
    prefix: 'sim',
    subnet: '10.91.8',
    yamlPath,
    dir,
  });
  try {
    const r = await sim.phonesim([
      '--count',
      '9',
      '--model',
      FAMILIES.join(','),
      '--mac-base',
      mac(0),
      '--assign-addresses',
      'eth0',
      '--dhcp-timeout',
      '1000',
      '--boots',
      '1',
      '--vlan',
      'fixed',
      '--user-change',
      'up.backlight.idleIntensity=1',
      '--renew',
      '--boot-twice',
    ]);
    const failures = r.report.phones
      .filter((p) => !p.ok)
      .map(
        (p) =>
          `${p.mac} ${p.model} ${p.failedStep}: ${p.error?.code} ${p.error?.message}`,
      );
    assert.deepEqual(
      failures,
      [],
      `${failures.join('\n')}\n${sim.output().slice(-3000)}`,
    );
    assert.equal(r.code, 0);
    const model = await loadConfigFile(yamlPath);
    assert.ok(model.ok);
    const tree = createTree(model.value.model);
    for (const [i, p] of r.report.phones.entries()) {
      const proto = PROTOCOLS[Math.floor(i / 3)]!;
      assert.equal(p.mac, mac(i));
      assert.equal(p.model, FAMILIES[i % 3]);
      assert.ok(
        p.bootServer?.startsWith(`${proto}://`),
        `${p.mac} booted over ${p.bootServer}, expected ${proto}`,
      );
      assert.match(p.address ?? '', /^10\.91\.8\.1\d\d$/);
      assert.deepEqual(
        p.parameters,
        expected(i),
        `${p.mac} effective parameters`,
      );
      const got = new Set(
        p.steps.filter((s) => s.status === 'ok').map((s) => s.step),
      );
      assert.equal(
        p.vlan,
        200,
        `${p.mac} took the first VLAN of VLAN-A=200+300;`,
      );
      assert.match(
        p.steps.find((s) => s.step === 'dhcp-vlan')?.detail ?? '',
        /^VLAN 200: 10\.91\.8\.1\d\d$/,
      );
      for (const s of [
        'dhcp',
        'dhcp-vlan',
        'boot-log',
        'master',
        'config:1',
        'config:2',
        'config:3',
        'directory-phone',
        'app-log',
        'calls-upload',
        'override-upload',
        'renew',
      ])
        assert.ok(got.has(s), `${p.mac}: step ${s} ok`);
      // Second boot of --boot-twice: a VVX reads sip.ver and skips the image; SoundPoint/SoundStation compare hashes.
      assert.ok(
        p.steps.some(
          (s) =>
            s.step === 'application' &&
            (s.status === 'skipped' || s.status === 'ok'),
        ),
        `${p.mac}: application step`,
      );
      if (FAMILIES[i % 3] === 'VVX410') {
        assert.equal(p.appVersion, '5.9.7.4477');
        assert.ok(
          p.steps.some(
            (s) => s.step === 'application' && s.status === 'skipped',
          ),
          'VVX skips an image it already has',
        );
      } else {
        assert.ok(got.has('bootrom'), `${p.mac}: bootROM fetched`);
      }
      // Uploads land where the tree says: read them back through the tree at the phone's path.
      for (const [step, path, needle] of [
        ['app-log', `logs/${p.mac}-app.log`, p.mac],
        ['calls-upload', `calls/${p.mac}-calls.xml`, 'PHONE_CALLS'],
        [
          'override-upload',
          `overrides/${p.mac}-phone.cfg`,
          'up.backlight.idleIntensity="1"',
        ],
        ['boot-log', `logs/${p.mac}-boot.log`, p.mac],
      ] as const) {
        const s = p.steps.find((x) => x.step === step);
        assert.equal(s?.detail, path, `${p.mac} ${step} path`);
        const f = await tree.read(path);
        assert.ok(f.ok, `${path} readable through the tree`);
        assert.ok(
          f.value.toString().includes(needle),
          `${path} holds what the phone sent`,
        );
      }
    }
  } finally {
    await sim.lab.destroy();
  }
});
