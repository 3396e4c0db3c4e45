import assert from 'node:assert/strict';
import { test } from 'node:test';
import { opsLab } from '../../test/lib/admin/fixture.ts';
import { labYaml } from '../../test/lib/lab-yaml.ts';
import { loadConfigText } from './load.ts';

const yaml = (dhcp: boolean, source: string): string =>
  labYaml(opsLab({ dhcp, dir: '/nonexistent-lsrc' })).replace(
    'appliance: { ',
    `appliance: {\n  leaseSource: ${source},\n  `,
  );

test('appliance.leaseSource: with DHCP on is an error at its line; a file not there yet is a warning; one kind only', () => {
  const on = loadConfigText(
    yaml(true, '{ kea: /nonexistent-lsrc/kea.csv }'),
    'a.yaml',
  );
  assert.ok(!on.ok);
  const e = on.error.find((i) => i.code === 'CFG_LEASE_SOURCE_WITH_DHCP');
  assert.ok(e, JSON.stringify(on.error));
  assert.deepEqual([e.line, e.path], [2, 'appliance.leaseSource.kea']);

  const off = loadConfigText(
    yaml(false, '{ dnsmasq: ./dnsmasq.leases }'),
    '/nonexistent-lsrc/a.yaml',
  );
  assert.ok(off.ok, off.ok ? '' : JSON.stringify(off.error));
  assert.deepEqual(off.value.model.leaseSource, {
    kind: 'dnsmasq',
    path: '/nonexistent-lsrc/dnsmasq.leases',
  });
  assert.ok(
    off.value.warnings.some(
      (w) => w.code === 'CFG_LEASE_SOURCE_MISSING' && w.line === 2,
    ),
  );

  const both = loadConfigText(yaml(false, '{ kea: a, dnsmasq: b }'), 'a.yaml');
  assert.ok(
    !both.ok &&
      both.error.some((i) => i.code === 'CFG_LEASE_SOURCE' && i.line === 2),
  );
});
