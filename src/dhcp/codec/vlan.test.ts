import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkVlanIds, parseVlanDiscovery, vlanDiscovery } from './vlan.ts';

test('vlanDiscovery builds DVD strings', () => {
  assert.equal(vlanDiscovery([200]), 'VLAN-A=200;');
  assert.equal(vlanDiscovery([200, 300]), 'VLAN-A=200+300;');
  assert.equal(checkVlanIds([0, 4095]).ok, true);
  assert.equal(checkVlanIds([]).ok, false);
  assert.equal(checkVlanIds([4096]).ok, false);
  assert.equal(checkVlanIds([1.5]).ok, false);
});

test('parseVlanDiscovery follows the phone rules (facts §3)', () => {
  const ids = (s: string) => {
    const r = parseVlanDiscovery(s);
    return r.ok ? r.value : r.error;
  };
  assert.deepEqual(ids('VLAN-A=10;'), [10]);
  assert.deepEqual(ids('VLAN-A=0x0a;'), [10]);
  assert.deepEqual(ids('VLAN-A=012;'), [10]);
  assert.deepEqual(ids('VLAN-A=0;'), [0]);
  assert.deepEqual(ids('VLAN-A=200+300+0x12c;'), [200, 300, 300]);
  assert.deepEqual(ids('VLAN-A=4095;ignored stuff'), [4095]);
  assert.deepEqual(ids(vlanDiscovery([1, 2, 4094])), [1, 2, 4094]);
  for (const bad of [
    'vlan-a=10;',
    'VLAN-A=10',
    'VLAN-A=;',
    'VLAN-A=4096;',
    'VLAN-A=10 ;',
    'VLAN-A= 10;',
    'VLAN-A=10++20;',
    'VLAN-A=0x;',
    'VLAN-A=09;',
    'VLAN-A=-1;',
    'VLAN-A=1e3;',
    'VLAN-B=10;',
    '',
  ]) {
    assert.equal(parseVlanDiscovery(bad).ok, false, bad);
  }
});
