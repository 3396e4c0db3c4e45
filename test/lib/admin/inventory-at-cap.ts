/**
 * The inventory at its cap: DEFAULT_MAX_PHONES + 500 phones, each with a DHCP exchange and three transfers (the
 * 500 oldest are evicted), and the bodies of the two admin routes that grow with it, made as the server makes
 * them (inventory.list → filterPhones → JSON for /api/phones; the Prometheus text for /metrics), in-process.
 * Used by test/inventory-scale.test.ts and bench/admin/inventory-scale.ts.
 */
import { createMetrics } from '../../../src/admin/metrics/registry.ts';
import { createTrafficCounters } from '../../../src/admin/metrics/traffic.ts';
import {
  createInventory,
  DEFAULT_MAX_PHONES,
} from '../../../src/inventory/inventory.ts';
import { filterPhones } from '../../../src/inventory/views.ts';
import {
  decodeVendorClass,
  encodePolycomVendorClass,
} from '../../../src/policy/vendor-class.ts';
import { noLeases } from '../../../src/runtime/deps.ts';
import type { Mac } from '../../../src/shared/mac.ts';
import { labModel } from './fixture.ts';

/** A VVX 410's option 60 as the DHCP server decodes it, and its User-Agent (also used by snapshot-json.test.ts). */
export const VVX_VENDOR = decodeVendorClass(
  encodePolycomVendorClass({
    company: 'Polycom',
    model: 'VVX-VVX_410',
    partNumber: '3111-46162-001',
    appVersion: 'SIP/5.9.7.4477/01-Jan-25 00:00',
  }),
);
export const VVX_UA =
  'FileTransport PolycomVVX-VVX_410-UA/5.9.7.4477 Type/Application';

export function inventoryAtCap() {
  const model = labModel();
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
        vendor: VVX_VENDOR,
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
        userAgent: VVX_UA,
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
        userAgent: VVX_UA,
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
        userAgent: VVX_UA,
      },
    ] as const;
    for (const e of events) {
      traffic.observe(e);
      inventory.apply(e);
    }
  }
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
  return {
    inventory,
    /** The body of GET /api/phones. */
    apiPhones,
    /** The body of GET /metrics. */
    metrics: (): Promise<string> => metrics.render(),
  };
}

/**
 * The median of `runs` timings of fn, in ms of this process's CPU (user + system): what the route costs,
 * not how long another process on a loaded machine kept it waiting.
 */
export async function cpuMedianMs(
  runs: number,
  fn: () => unknown,
): Promise<number> {
  const t: number[] = [];
  for (let i = 0; i < runs; i++) {
    const s = process.cpuUsage();
    await fn();
    const d = process.cpuUsage(s);
    t.push((d.user + d.system) / 1000);
  }
  return t.sort((a, b) => a - b)[Math.floor(runs / 2)]!;
}
