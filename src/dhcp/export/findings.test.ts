/**
 * What each exporter reports it cannot express (exit status 2) or expresses differently (listed, exit 0),
 * on variations of the export fixture; and the precedence the exported files encode.
 */

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import type { ApplianceModel } from '../../config/model.ts';
import { loadApplianceText } from '../../policy/load.ts';
import { exportDnsmasq } from './dnsmasq.ts';
import { exportKea } from './kea.ts';
import { type ExportResult, exitStatus } from './report.ts';

const FIXTURE = readFileSync(
  new URL('../../../test/fixtures/export/appliance.yaml', import.meta.url),
  'utf8',
);

function variant(edit: (yaml: string) => string): ApplianceModel {
  const r = loadApplianceText(edit(FIXTURE), '/fixture/appliance.yaml');
  if (!r.ok) throw new Error(JSON.stringify(r.error));
  return r.value.model;
}
const codes = (r: ExportResult, severity: 'lost' | 'differs'): string[] =>
  r.findings
    .filter((f) => f.severity === severity)
    .map((f) => `${f.code} ${f.where}`);
const kea = (m: ApplianceModel): { Dhcp4: Record<string, unknown> } =>
  JSON.parse(exportKea(m).text) as { Dhcp4: Record<string, unknown> };

test('a vendorClass selector: Kea leaves the class out (exit 2), dnsmasq matches it as a substring', () => {
  const m = variant((y) =>
    y.replace('match: { model: SSIP6000 }', 'match: { vendorClass: SSIP }'),
  );
  const k = exportKea(m);
  assert.deepEqual(codes(k, 'lost'), [
    'DHCP_EXPORT_VENDOR_CLASS_SUBSTRING classes.conference',
  ]);
  assert.equal(exitStatus(k), 2);
  assert.ok(
    !(kea(m).Dhcp4['client-classes'] as { name: string }[]).some(
      (c) => c.name === 'class-conference',
    ),
  );
  const d = exportDnsmasq(m);
  assert.equal(exitStatus(d), 0);
  assert.match(d.text, /^dhcp-vendorclass=set:vc-conference,SSIP$/m);
  assert.match(d.text, /^tag-if=set:class-conference,tag:vc-conference$/m);
});

test('a relay outside its site subnet: Kea relay ip-addresses, dnsmasq cannot (exit 2)', () => {
  const m = variant((y) =>
    y.replace('relays: [10.93.3.1]', 'relays: [10.93.9.1]'),
  );
  const subnets = kea(m).Dhcp4.subnet4 as {
    subnet: string;
    relay?: { 'ip-addresses': string[] };
    pools: unknown[];
  }[];
  const branch = subnets.find((s) => s.subnet === '10.93.3.0/24')!;
  assert.deepEqual(branch.relay, { 'ip-addresses': ['10.93.9.1'] });
  assert.deepEqual(branch.pools, [], 'inform-only: a subnet without pools');
  assert.equal(exitStatus(exportKea(m)), 0);
  const d = exportDnsmasq(m);
  assert.deepEqual(codes(d, 'lost'), [
    'DHCP_EXPORT_DNSMASQ_RELAY sites.branch.relays',
  ]);
  assert.equal(exitStatus(d), 2);
});

test('a VLAN option that is a standard Kea option of another type is lost for Kea only', () => {
  const m = variant((y) => y.replace('option: 157 }', 'option: 136 }'));
  assert.deepEqual(codes(exportKea(m), 'lost'), [
    'DHCP_EXPORT_KEA_STANDARD_OPTION sites.remote.vlan',
  ]);
  assert.match(
    exportDnsmasq(m).text,
    /^dhcp-option-force=tag:site-remote,136,"VLAN-A=300\+301;"$/m,
    'the DVD string as text',
  );
});

test('option 157 goes through flex-option, for the site that uses it only', () => {
  const hooks = kea(variant((y) => y)).Dhcp4['hooks-libraries'] as {
    library: string;
    parameters: { options: { code: number; add: string }[] };
  }[];
  assert.equal(hooks.length, 1);
  assert.match(hooks[0]!.library, /libdhcp_flex_option\.so$/);
  assert.deepEqual(hooks[0]!.parameters.options, [
    { code: 157, add: "ifelse(member('site-remote'), 'VLAN-A=300+301;', '')" },
  ]);
  const defs = (
    kea(variant((y) => y)).Dhcp4['option-def'] as { code: number }[]
  ).map((d) => d.code);
  assert.deepEqual(defs, [128, 144, 160, 191], 'no option-def for 157');
});

test('precedence: Kea requires the last matching class first and the site last; dnsmasq gates by negated tags', () => {
  const subnets = kea(variant((y) => y)).Dhcp4.subnet4 as {
    subnet: string;
    'require-client-classes': string[];
  }[];
  assert.deepEqual(
    subnets.find((s) => s.subnet === '10.93.2.0/24')!['require-client-classes'],
    [
      'class-remote-vvx250',
      'class-conference',
      'class-vvx',
      'class-soundpoint',
      'site-remote',
    ],
  );
  assert.deepEqual(
    subnets.find((s) => s.subnet === '10.93.1.0/24')!['require-client-classes'],
    ['class-conference', 'class-vvx', 'class-soundpoint', 'site-hq'],
    'remote-vvx250 only at remote',
  );
  const d = exportDnsmasq(variant((y) => y)).text;
  assert.match(
    d,
    /^dhcp-option-force=tag:site-remote,tag:!class-vvx,tag:!class-conference,151,/m,
    'site value unless a class sets 151',
  );
  assert.match(
    d,
    /^dhcp-option-force=tag:class-vvx,tag:!class-conference,151,/m,
    'the later class wins',
  );
  assert.match(
    d,
    /^dhcp-option-force=tag:class-remote-vvx250,tag:!phone-0004f2000050,152,00:fa$/m,
    'the phone entry wins',
  );
});

test("a phone entry's model wins over option 60, in both exports", () => {
  const k = kea(variant((y) => y)).Dhcp4['client-classes'] as {
    name: string;
    test: string;
  }[];
  assert.match(
    k.find((c) => c.name === 'model-SSIP6000')!.test,
    /^\(pkt4\.mac == 0x0004f2000050 or \(not pkt4\.mac == 0x0004f2000050 and /,
  );
  assert.match(
    k.find((c) => c.name === 'model-VVX410')!.test,
    /^\(not pkt4\.mac == 0x0004f2000050 and /,
  );
  const d = exportDnsmasq(variant((y) => y)).text;
  assert.match(
    d,
    /^dhcp-host=00:04:f2:00:00:50,set:phone-0004f2000050,set:entry-SSIP6000,set:entry-model,10\.93\.1\.50$/m,
  );
  assert.match(d, /^tag-if=set:model-VVX410,tag:v60-VVX410,tag:!entry-model$/m);
});

test("the policy compiler's errors are reported as lost", () => {
  const m = variant((y) =>
    y.replace(
      '{ code: 152, type: u16, value: 7 }',
      '{ code: 152, type: u16, value: 70000 }',
    ),
  );
  assert.ok(
    codes(exportKea(m), 'lost').includes('DHCP_EXPORT_POLICY_ERROR policy'),
  );
  assert.equal(exitStatus(exportDnsmasq(m)), 2);
});
