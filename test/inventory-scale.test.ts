/**
 * The inventory at its cap (issue #16, item 4): 10,000 phones, each with a DHCP exchange and a few transfers;
 * it holds the cap, evicts the oldest, and /api/phones and /metrics stay linear in it. What each route costs
 * is a benchmark (bench/admin/inventory-scale.ts, goal under 100 ms, results in bench/results/inventory.md);
 * this test bounds it at ten times that in this process's CPU, which a loaded machine does not reach and
 * a route gone quadratic in the phones does.
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_MAX_PHONES } from '../src/inventory/inventory.ts';
import { cpuMedianMs, inventoryAtCap } from './lib/admin/inventory-at-cap.ts';

const BOUND_MS = 1_000;

test('10,000 phones (the cap): held at the cap, the oldest evicted; /api/phones and /metrics stay linear', async (t) => {
  const lab = inventoryAtCap();
  assert.equal(
    lab.inventory.list().length,
    DEFAULT_MAX_PHONES,
    'held at the cap',
  );
  assert.equal(lab.inventory.noise().evicted, 500);
  const body = JSON.parse(lab.apiPhones()) as {
    total: number;
    phones: { mac: string }[];
  };
  assert.equal(body.total, DEFAULT_MAX_PHONES);
  assert.equal(body.phones.length, DEFAULT_MAX_PHONES);
  const macs = new Set(body.phones.map((p) => p.mac));
  assert.ok(!macs.has('0004f2000000'), 'the first phone was evicted');
  assert.ok(macs.has('0004f2002903'), 'the last phone (10,499th) is listed');
  assert.match(await lab.metrics(), /^appliance_/m);
  const phonesMs = await cpuMedianMs(3, lab.apiPhones);
  const metricsMs = await cpuMedianMs(3, lab.metrics);
  t.diagnostic(
    `/api/phones ${phonesMs.toFixed(1)} ms, /metrics ${metricsMs.toFixed(1)} ms (CPU, median of 3)`,
  );
  assert.ok(phonesMs < BOUND_MS, `/api/phones ${phonesMs.toFixed(1)} ms`);
  assert.ok(metricsMs < BOUND_MS, `/metrics ${metricsMs.toFixed(1)} ms`);
});
