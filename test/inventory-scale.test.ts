/**
 * The inventory at its cap (issue #16, item 4): 10,000 phones, each with a DHCP exchange and a few transfers,
 * and what /api/phones and /metrics do per request (inventory.list → filterPhones → JSON, and the Prometheus
 * rendering) each under 100 ms. Measured on the functions the routes call, in-process (no socket).
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createMetrics } from '../src/admin/metrics/registry.ts';
import { createTrafficCounters } from '../src/admin/metrics/traffic.ts';
import {
  createInventory,
  DEFAULT_MAX_PHONES,
} from '../src/inventory/inventory.ts';
import { filterPhones } from '../src/inventory/views.ts';
import {
  decodeVendorClass,
  encodePolycomVendorClass,
} from '../src/policy/vendor-class.ts';
import { noLeases } from '../src/runtime/deps.ts';
import type { Mac } from '../src/shared/mac.ts';
import { labModel } from './lib/admin/fixture.ts';

const model = labModel();
const vendor = decodeVendorClass(
  encodePolycomVendorClass({
    company: 'Polycom',
    model: 'VVX-VVX_410',
    partNumber: '3111-46162-001',
    appVersion: 'SIP/5.9.7.4477/01-Jan-25 00:00',
  }),
);
const UA = 'FileTransport PolycomVVX-VVX_410-UA/5.9.7.4477 Type/Application';

/**
 * The median of `runs` timings of fn, in ms of this process's CPU (user + system): what the route costs,
 * not how long another process on a loaded machine kept it waiting.
 */
async function median(runs: number, fn: () => unknown): Promise<number> {
  const t: number[] = [];
  for (let i = 0; i < runs; i++) {
    const s = process.cpuUsage();
    await fn();
    const d = process.cpuUsage(s);
    t.push((d.user + d.system) / 1000);
  }
  return t.sort((a, b) => a - b)[Math.floor(runs / 2)]!;
}

test('10,000 phones (the cap): /api/phones and /metrics each take under 100 ms', async (t) => {
  const inventory = createInventory({ model: { current: () => model } });
  const traffic = createTrafficCounters();
  for (let i = 0; i < DEFAULT_MAX_PHONES + 500; i++) {
    const mac = `0004f2${i.toString(16).padStart(6, '0')}` as Mac;
    const address = `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
    const events = [
      {
        type: 'dhcp',
        message: 'REQUEST',
        reply: 'ACK',
        mac,
        site: 'hq',
        address,
        labels: { model: 'VVX410' },
        vendor,
        result: 'ok',
      },
      {
        type: 'transfer',
        protocol: 'tftp',
        direction: 'download',
        peer: address,
        mac,
        path: '000000000000.cfg',
        bytes: 900,
        durationMs: 2,
        result: 'ok',
        userAgent: UA,
      },
      {
        type: 'transfer',
        protocol: 'tftp',
        direction: 'download',
        peer: address,
        mac,
        path: `${mac}-appliance.cfg`,
        bytes: 300,
        durationMs: 1,
        result: 'ok',
        userAgent: UA,
      },
      {
        type: 'transfer',
        protocol: 'http',
        direction: 'upload',
        peer: address,
        mac,
        path: `logs/${mac}-app.log`,
        bytes: 4000,
        durationMs: 3,
        result: 'ok',
        userAgent: UA,
      },
    ] as const;
    for (const e of events) {
      traffic.observe(e);
      inventory.apply(e);
    }
  }
  assert.equal(inventory.list().length, DEFAULT_MAX_PHONES, 'held at the cap');
  assert.equal(inventory.noise().evicted, 500);
  const metrics = createMetrics({
    inventory,
    traffic,
    leases: noLeases,
    config: () => ({
      loadedAt: '',
      sha256: '00',
      reloads: 0,
      failures: 0,
      lastError: undefined,
      warnings: [],
    }),
    services: {},
  });
  const apiPhones = (): string => {
    const all = inventory.list();
    const phones = filterPhones(all, {});
    return JSON.stringify({
      total: all.length,
      count: phones.length,
      revision: inventory.revision(),
      phones,
    });
  };
  const phonesMs = await median(7, apiPhones);
  const metricsMs = await median(7, () => metrics.render());
  t.diagnostic(
    `at ${DEFAULT_MAX_PHONES} phones: /api/phones ${phonesMs.toFixed(1)} ms (${(apiPhones().length / 1e6).toFixed(1)} MB), /metrics ${metricsMs.toFixed(1)} ms (CPU, median of 7)`,
  );
  assert.ok(phonesMs < 100, `/api/phones ${phonesMs.toFixed(1)} ms`);
  assert.ok(metricsMs < 100, `/metrics ${metricsMs.toFixed(1)} ms`);
});
