import assert from 'node:assert/strict';
import { test } from 'node:test';
import { aggregate, type PhoneReport, percentile } from './report.ts';

test('nearest-rank percentiles', () => {
  const xs = Array.from({ length: 100 }, (_, i) => i + 1);
  assert.equal(percentile(xs, 50), 50);
  assert.equal(percentile(xs, 99), 99);
  assert.equal(percentile([7], 99), 7);
  assert.equal(percentile([], 50), 0);
});

test('aggregate counts failures by step and code', () => {
  const base = {
    model: 'VVX410',
    address: undefined,
    vlan: undefined,
    bootServer: undefined,
    bytesDown: 10,
    bytesUp: 1,
    retries: 1,
    retriesBy: { 'tftp-block': 1 },
    rebootCauses: [],
    attempts: 1,
    appVersion: '1',
    upgraded: { app: true, bootrom: false },
    steps: [],
    parameters: {},
  };
  const rs: PhoneReport[] = [
    {
      ...base,
      mac: 'a',
      ok: true,
      failedStep: undefined,
      error: undefined,
      totalMs: 100,
    },
    {
      ...base,
      mac: 'b',
      ok: true,
      failedStep: undefined,
      error: undefined,
      totalMs: 300,
    },
    {
      ...base,
      mac: 'c',
      rebootCauses: ['app:SIM_TIMEOUT', 'dhcp:SIM_DHCP_TIMEOUT'],
      ok: false,
      failedStep: 'dhcp',
      error: { code: 'SIM_DHCP_TIMEOUT', message: '' },
      totalMs: 900,
    },
  ];
  const a = aggregate(rs, 1000);
  assert.equal(a.provisioned, 2);
  assert.equal(a.failed, 1);
  assert.deepEqual(a.failedBySteps, { 'dhcp:SIM_DHCP_TIMEOUT': 1 });
  assert.equal(a.p50Ms, 100);
  assert.equal(a.p99Ms, 300);
  assert.equal(a.retries, 3);
  assert.deepEqual(a.retriesBy, { 'tftp-block': 3 });
  assert.deepEqual(a.rebootCauses, {
    'app:SIM_TIMEOUT': 1,
    'dhcp:SIM_DHCP_TIMEOUT': 1,
  });
  assert.equal(a.upgradedApps, 3);
});
