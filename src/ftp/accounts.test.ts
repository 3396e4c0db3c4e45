import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ApplianceModel } from '../config/model.ts';
import { authenticate, mayAccess } from './accounts.ts';

const model = {
  sites: new Map([
    ['hq', { name: 'hq', accounts: [{ user: 'hqphones', password: 'pw1' }] }],
    ['branch', { name: 'branch', accounts: [{ user: 'branch', password: 'pw2' }] }],
  ]),
} as unknown as ApplianceModel;

test('the factory account and site accounts authenticate; wrong passwords do not', () => {
  assert.deepEqual(authenticate(model, 'PlcmSpIp', 'PlcmSpIp'), { user: 'PlcmSpIp', site: undefined });
  assert.deepEqual(authenticate(model, 'hqphones', 'pw1'), { user: 'hqphones', site: 'hq' });
  assert.deepEqual(authenticate(model, 'branch', 'pw2'), { user: 'branch', site: 'branch' });
  assert.equal(authenticate(model, 'hqphones', 'pw2'), undefined);
  assert.equal(authenticate(model, 'PlcmSpIp', 'plcmspip'), undefined);
  assert.equal(authenticate(model, 'anonymous', ''), undefined);
});

test('site accounts are confined to their site; the factory account sees everything', () => {
  const siteOf = (p: string): string | undefined => (p.startsWith('hq') ? 'hq' : p.startsWith('branch') ? 'branch' : undefined);
  const hq = { user: 'hqphones', site: 'hq' };
  assert.equal(mayAccess(hq, '', siteOf), true);
  assert.equal(mayAccess(hq, 'hq/000000000000.cfg', siteOf), true);
  assert.equal(mayAccess(hq, 'branch/000000000000.cfg', siteOf), false);
  assert.equal(mayAccess(hq, 'ucs-5.9.7/x.ld', siteOf), false);
  assert.equal(mayAccess({ user: 'PlcmSpIp', site: undefined }, 'branch/x', siteOf), true);
});
