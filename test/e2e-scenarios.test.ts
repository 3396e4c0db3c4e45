/**
 * The seed scenarios end to end, each against the real `appliance run` (lab 10.91.8.0/24, prefix "sim"):
 * - seed 004 (Lync): the site is inform-only beside another DHCP server (dnsmasq, no boot-server options);
 *   each phone gets its address from dnsmasq, finds no boot server, sends DHCPINFORM (seed 001 stage 2) and
 *   boots over FTP from the appliance's answer; Lync base-profile parameters end up effective.
 * - seed 002 (mixed firmware): a SoundPoint IP 560 on an old bootROM/application and a VVX 410 on UCS 5.x
 *   upgrade at once over TFTP from one master file; the SoundPoint takes its bootROM first.
 * Expected parameters are computed from the scenario's appliance.yaml itself (phone, model, site, common;
 * leftmost wins) and what the SNTP and syslog services add, written out here, independently of the renderer.
 */

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { parse } from 'yaml';
import { parseMac } from '../src/shared/mac.ts';
import { missingCommands } from './lib/netns.ts';
import {
  applianceFolder,
  REPO,
  type SimJson,
  simSkip,
  startSimLab,
} from './lib/phonesim-lab.ts';

const skip =
  simSkip() ||
  (await (async () => {
    const missing = await missingCommands(['dnsmasq']);
    if (missing.length && process.env.CI)
      throw new Error('e2e scenarios need dnsmasq (dnsmasq-base)');
    return missing.length ? 'needs dnsmasq' : false;
  })());

type Params = Record<string, string | number>;
interface ScenarioYaml {
  appliance: { address: string };
  parameters?: Params;
  models?: Record<string, { parameters?: Params }>;
  sites: Record<string, { parameters?: Params; ntp?: string[] }>;
  phones: Record<string, { site: string; model: string; parameters?: Params }>;
}

/**
 * What the appliance adds while its SNTP and syslog services run (their defaults): the site's time server when
 * it names no ntp:, and device.syslog.* pointing at the appliance; a name set anywhere in the file is left alone.
 */
function derived(
  y: ScenarioYaml,
  site: string,
): { site: Params; common: Params } {
  const layers = [
    y.parameters,
    ...Object.values(y.models ?? {}).map((m) => m.parameters),
    ...Object.values(y.sites).map((s) => s.parameters),
    ...Object.values(y.phones).map((p) => p.parameters),
  ];
  const setAnywhere = (name: string): boolean =>
    layers.some((l) => l !== undefined && name in l);
  const address = y.appliance.address;
  const common: Params = {};
  for (const [k, v] of [
    ['serverName', address],
    ['transport', 'UDP'],
    ['facility', '16'],
    ['renderLevel', '1'],
    ['prependMac', '1'],
  ] as const) {
    if (setAnywhere(`device.syslog.${k}`)) continue;
    common[`device.syslog.${k}`] = v;
    common[`device.syslog.${k}.set`] = '1';
  }
  if (Object.keys(common).length > 0) common['device.set'] = '1';
  const sntp: Params =
    y.sites[site]?.ntp === undefined && !setAnywhere('tcpIpApp.sntp.address')
      ? { 'tcpIpApp.sntp.address': address }
      : {};
  return { site: sntp, common };
}

function expectedParams(y: ScenarioYaml, mac: string): Record<string, string> {
  const [, phone] = Object.entries(y.phones).find(([k]) => {
    const m = parseMac(k);
    return m.ok && m.value === mac;
  })!;
  const out: Record<string, string> = {};
  const d = derived(y, phone.site);
  for (const layer of [
    phone.parameters,
    y.models?.[phone.model]?.parameters,
    { ...d.site, ...y.sites[phone.site]?.parameters },
    { ...d.common, ...y.parameters },
  ]) {
    for (const [k, v] of Object.entries(layer ?? {}))
      if (!(k in out)) out[k] = String(v);
  }
  return Object.fromEntries(
    Object.entries(out).sort(([a], [b]) => (a < b ? -1 : 1)),
  );
}

function scenario(
  name: string,
  edit: (s: string) => string,
): { text: string; parsed: ScenarioYaml } {
  const text = edit(
    readFileSync(
      join(REPO, 'test/fixtures/scenarios', name, 'appliance.yaml'),
      'utf8',
    ),
  );
  return { text, parsed: parse(text) as ScenarioYaml };
}

const failures = (r: SimJson): string[] =>
  r.phones
    .filter((p) => !p.ok)
    .map(
      (p) => `${p.mac} ${p.failedStep}: ${p.error?.code} ${p.error?.message}`,
    );

test('seed 004 Lync: address from another DHCP server, boot server by DHCPINFORM, FTP, Lync parameters', {
  skip,
  timeout: 90_000,
}, async () => {
  const { text, parsed } = scenario('lync', (s) =>
    s
      .replace(/192\.168\.1\.30/g, '10.91.8.1')
      .replace(/192\.168\.1\./g, '10.91.8.'),
  );
  const { dir, yamlPath } = await applianceFolder(text, [
    { folder: 'ucs-4.1.4', name: '3111-46157-002.sip.ld', size: 600_000 },
    { folder: 'ucs-4.1.4', name: '2345-12365-001.sip.ld', size: 300_000 },
  ]);
  const sim = await startSimLab({
    prefix: 'sim',
    subnet: '10.91.8',
    yamlPath,
    dir,
    extraHosts: ['dhcp'],
  });
  try {
    // "the Windows DHCP server that already hands out addresses": no 66, no 160.
    sim.lab.spawn(
      'dhcp',
      [
        'dnsmasq',
        '--no-daemon',
        '--port=0',
        '--interface=eth0',
        '--bind-interfaces',
        '--no-ping',
        '-u',
        'root',
        '--dhcp-range=10.91.8.100,10.91.8.199,1h',
        `--dhcp-leasefile=${join(dir, 'dnsmasq.leases')}`,
        '--log-facility=-',
      ],
      { stdio: 'ignore' },
    );
    // One simulator process (one socket on UDP 68); phones own their leased address, so the unicast
    // answer to their DHCPINFORM reaches them.
    const r = await sim.phonesim([
      '--phone',
      '00-04-F2-80-62-D6=VVX400',
      '--phone',
      '0004.f2a6.af1b=SPIP331',
      '--assign-addresses',
      'eth0',
      '--dhcp-timeout',
      '1000',
      '--boots',
      '1',
    ]);
    assert.deepEqual(failures(r.report), [], sim.output().slice(-2000));
    for (const p of r.report.phones) {
      const steps = new Map(p.steps.map((s) => [s.step, s]));
      assert.equal(
        steps.get('inform')?.status,
        'ok',
        'the boot server came from DHCPINFORM',
      );
      assert.equal(
        steps.get('inform')?.detail,
        'ftp://PlcmSpIp:PlcmSpIp@10.91.8.1',
      );
      assert.ok(p.bootServer?.startsWith('ftp://PlcmSpIp:***@10.91.8.1'));
      assert.deepEqual(p.parameters, expectedParams(parsed, p.mac));
      assert.equal(p.parameters['device.baseProfile'], 'Lync');
      assert.ok(
        p.parameters['sec.TLS.customCaCert.1']?.includes('\n'),
        'multi-line certificate survives the XML round trip',
      );
      assert.ok(p.upgraded.app, 'UCS 4.1.4 image installed');
    }
    // No lease of ours at an inform-only site, but each DHCPINFORM bound the phone's address to its MAC:
    // from one phone's address, its own override uploads and the other phone's is refused.
    const [a, b] = r.report.phones;
    assert.ok(a?.address && b, 'two phones with addresses');
    const put = async (mac: string): Promise<string> =>
      (
        await sim.lab.exec(
          'phones',
          [
            'curl',
            '-s',
            '-o',
            '/dev/null',
            '-w',
            '%{response_code}',
            '--interface',
            a.address!,
            '-T',
            '-',
            `ftp://PlcmSpIp:PlcmSpIp@10.91.8.1/${mac}-phone.cfg`,
          ],
          { input: 'up.note=1\n', allowFail: true },
        )
      ).stdout;
    assert.equal(await put(a.mac), '226', 'own override accepted');
    assert.equal(
      await put(b.mac),
      '550',
      "another phone's override refused (MAC bound by INFORM)",
    );
  } finally {
    await sim.lab.destroy();
  }
});

test('seed 002 mixed firmware: SoundPoint (bootROM then application) and VVX upgrade at once over TFTP', {
  skip,
  timeout: 90_000,
}, async () => {
  const { text, parsed } = scenario('mixed-firmware', (s) =>
    s
      .replace(/10\.11\.32\.5/g, '10.91.8.1')
      .replace(/10\.11\.32\./g, '10.91.8.')
      .replace('interface: eth1', 'interface: eth0'),
  );
  const { dir, yamlPath } = await applianceFolder(
    text,
    [
      { folder: 'sp-4.0.11', name: '2345-12560-001.sip.ld', size: 700_000 },
      { folder: 'sp-4.0.11', name: '2345-12560-001.bootrom.ld', size: 200_000 },
      { folder: 'ucs-5.7.0', name: '3111-46162-001.sip.ld', size: 2_000_000 },
    ],
    {
      'sp-4.0.11/sip.ver': '4.0.11.0593',
      'sp-4.0.11/bootrom.ver': '4.4.0.0000',
      'ucs-5.7.0/sip.ver': '5.7.0.11768',
    },
  );
  const sim = await startSimLab({
    prefix: 'sim',
    subnet: '10.91.8',
    yamlPath,
    dir,
  });
  try {
    // Sequential: each simulator process binds UDP 68 in the phones' namespace.
    const runs = [
      await sim.phonesim([
        '--count',
        '1',
        '--model',
        'VVX410',
        '--mac-base',
        '64167f920093',
        '--assign-addresses',
        'eth0',
        '--app-version',
        '5.4.0.1000',
        '--boot-version',
        '5.4.0.1000',
        '--dhcp-timeout',
        '1000',
        '--boots',
        '1',
        '--boot-twice',
      ]),
      await sim.phonesim([
        '--count',
        '1',
        '--model',
        'SPIP560',
        '--mac-base',
        '0004f2123ed7',
        '--assign-addresses',
        'eth0',
        '--app-version',
        '3.3.5.0247',
        '--boot-version',
        '4.3.0.0246',
        '--dhcp-timeout',
        '1000',
        '--boots',
        '1',
      ]),
    ];
    for (const r of runs)
      assert.deepEqual(failures(r.report), [], sim.output().slice(-2000));
    const [vvx, sp] = [runs[0]!.report.phones[0]!, runs[1]!.report.phones[0]!];
    assert.deepEqual(vvx.parameters, expectedParams(parsed, vvx.mac));
    assert.deepEqual(sp.parameters, expectedParams(parsed, sp.mac));
    assert.ok(vvx.bootServer?.startsWith('tftp://10.91.8.1'));
    // SoundPoint: bootROM before the application, both installed.
    const order = sp.steps.map((s) => `${s.step}:${s.status}`);
    assert.ok(
      order.indexOf('bootrom:ok') >= 0 &&
        order.indexOf('bootrom:ok') < order.indexOf('application:ok'),
      order.join(' '),
    );
    assert.ok(sp.upgraded.bootrom && sp.upgraded.app);
    assert.equal(sp.appVersion, '4.0.11.0593');
    assert.equal(
      sp.steps.find((s) => s.step === 'application')?.detail,
      'sp-4.0.11/2345-12560-001.sip.ld',
    );
    // VVX booted twice: upgraded to 5.7.0 on the first boot, the second skipped the unchanged image.
    assert.equal(vvx.appVersion, '5.7.0.11768');
    assert.equal(
      vvx.steps.find((s) => s.step === 'application')?.status,
      'skipped',
    );
  } finally {
    await sim.lab.destroy();
  }
});
