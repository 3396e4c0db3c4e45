import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import { labModel } from '../../../test/lib/admin/fixture.ts';
import {
  parsePromFamilies,
  total,
} from '../../../test/lib/admin/prom-parse.ts';
import { dhcpEvent, transferEvent } from '../../../test/lib/events.ts';
import { createInventory } from '../../inventory/inventory.ts';
import { noLeases } from '../../runtime/deps.ts';
import type { Mac } from '../../shared/mac.ts';
import type { ServiceCounters } from './inputs.ts';
import { createMetrics } from './registry.ts';
import { createTrafficCounters } from './traffic.ts';

const model = labModel();

function metricsWith(services: ServiceCounters) {
  const inventory = createInventory({ model: { current: () => model } });
  const traffic = createTrafficCounters();
  const mac = '0004f2a00001' as Mac;
  const tftp = { protocol: 'tftp', mac } as const;
  const events = [
    dhcpEvent({ mac, labels: { model: 'VVX410' } }),
    transferEvent({ ...tftp, path: 'a.cfg', bytes: 700 }),
    transferEvent({ ...tftp, path: 'b.cfg', bytes: 300 }),
    transferEvent({
      protocol: 'http',
      direction: 'upload',
      mac,
      bytes: 0,
      result: 'TREE_TOO_LARGE',
    }),
  ];
  for (const e of events) {
    traffic.observe(e);
    inventory.apply(e);
  }
  const leases = {
    ...noLeases,
    pools: () => [
      {
        site: 'hq',
        mode: 'authoritative',
        subnet: '10.91.10.0/24',
        size: 100,
        used: 1,
        declined: 0,
        free: 97,
        reserved: 2,
      },
    ],
  };
  const config = () => ({
    loadedAt: '2026-01-01T00:00:00.000Z',
    sha256: 'ab'.repeat(32),
    reloads: 2,
    failures: 1,
    lastError: undefined,
    warnings: [],
  });
  return createMetrics({ inventory, traffic, leases, config, services });
}

const allServices: ServiceCounters = {
  dhcp: () => ({
    malformed: 4,
    malformedByCode: { DHCP_TOO_SHORT: 4 },
    rateLimited: 1,
    requests: { DISCOVER: 3, REQUEST: 2 },
    replies: { OFFER: 3, ACK: 2 },
    results: { DHCP_NO_SITE: 1 },
  }),
  tftp: () => ({
    active: 1,
    peakActive: 5,
    requests: 9,
    completed: 7,
    failed: 1,
    busy: 0,
    hostBusy: 2,
    waited: 4,
    waiting: 1,
    malformed: 3,
    wrongTid: 0,
    duplicates: 2,
    unexpected: 0,
    retransmits: 6,
    bytesSent: 1000,
    bytesReceived: 10,
  }),
  ftp: () => ({ connections: 2, loginFailures: 1, clientErrors: 0 }),
  http: () => ({ malformedRequests: 5, tlsFailures: 1 }),
  sip: () => ({ sent: 8, retransmits: 3, malformed: 2 }),
};

/** The appliance_* names docs/admin.md's metrics table lists. */
async function documented(): Promise<Set<string>> {
  const doc = await readFile(
    new URL('../../../docs/admin.md', import.meta.url),
    'utf8',
  );
  const section = doc.slice(
    doc.indexOf('## Metrics'),
    doc.indexOf('\n## ', doc.indexOf('## Metrics') + 1),
  );
  return new Set(
    [...section.matchAll(/`(appliance_[a-z_]+)`/g)].map((m) => m[1]!),
  );
}

async function scrape(services: ServiceCounters) {
  const r = parsePromFamilies(await metricsWith(services).render());
  assert.ok(r.ok, r.ok ? '' : r.error);
  return r.value;
}

test('the exposition has exactly the documented families, each with HELP and TYPE, whatever runs', async () => {
  const docs = await documented();
  assert.ok(docs.size >= 40, `docs/admin.md lists ${docs.size} families`);
  for (const services of [allServices, {}]) {
    const { families } = await scrape(services);
    const ours = [...families.keys()].filter((n) => n.startsWith('appliance_'));
    assert.deepEqual(ours.sort(), [...docs].sort());
    for (const [name, f] of families) {
      assert.ok(f.help !== undefined && f.help !== '', `${name} has a HELP`);
      assert.ok(
        /^(appliance|process|nodejs)_/.test(name),
        `${name}: no family from anywhere else`,
      );
      if (name.startsWith('appliance_'))
        assert.equal(
          f.type,
          name.endsWith('_total') ? 'counter' : 'gauge',
          name,
        );
    }
    for (const n of [
      'process_resident_memory_bytes',
      'nodejs_heap_size_used_bytes',
      'nodejs_eventloop_lag_seconds',
    ])
      assert.ok(families.has(n), n);
  }
});

test("samples come from the events, the services' counters, the leases, the configuration and the inventory", async () => {
  const { samples } = await scrape(allServices);
  const at = (name: string, labels: Record<string, string> = {}): number =>
    total(samples, name, labels);
  assert.equal(
    at('appliance_transfers_total', {
      protocol: 'tftp',
      direction: 'download',
      result: 'ok',
    }),
    2,
  );
  assert.equal(
    at('appliance_transfer_bytes_total', {
      protocol: 'tftp',
      direction: 'download',
    }),
    1000,
  );
  assert.equal(
    at('appliance_uploads_refused_total', { reason: 'TREE_TOO_LARGE' }),
    1,
  );
  assert.equal(
    at('appliance_dhcp_messages_total', {
      message: 'REQUEST',
      reply: 'ACK',
      result: 'ok',
    }),
    1,
  );
  assert.equal(at('appliance_dhcp_requests_total', { type: 'DISCOVER' }), 3);
  assert.equal(
    at('appliance_dhcp_malformed_total', { code: 'DHCP_TOO_SHORT' }),
    4,
  );
  assert.deepEqual(
    ['dhcp', 'tftp', 'http', 'sip'].map((service) =>
      at('appliance_malformed_packets_total', { service }),
    ),
    [4, 3, 5, 2],
  );
  assert.deepEqual(
    [
      at('appliance_tftp_active'),
      at('appliance_tftp_peak_active'),
      at('appliance_tftp_retransmits_total'),
      at('appliance_tftp_bytes_sent_total'),
      at('appliance_tftp_waited_total'),
      at('appliance_tftp_waiting'),
    ],
    [1, 5, 6, 1000, 4, 1],
  );
  assert.deepEqual(
    [
      at('appliance_ftp_login_failures_total'),
      at('appliance_http_tls_failures_total'),
      at('appliance_notify_sent_total'),
    ],
    [1, 1, 8],
  );
  assert.deepEqual(
    [
      at('appliance_dhcp_pool_size', { site: 'hq' }),
      at('appliance_dhcp_leases_free', { site: 'hq' }),
    ],
    [100, 97],
  );
  assert.deepEqual(
    [
      at('appliance_config_reloads_total'),
      at('appliance_config_reload_failures_total'),
      at('appliance_config_loaded_timestamp_seconds'),
    ],
    [2, 1, 1_767_225_600],
  );
  assert.equal(at('appliance_phones', { firmware: 'unknown' }), 1);
  assert.deepEqual(
    [
      at('appliance_phones_by_state', { state: 'known' }),
      at('appliance_phones_by_state', { state: 'new' }),
    ],
    [1, 0],
  );
  assert.equal(at('appliance_rollout_phones', { model: 'VVX410' }), 1);
  // Nothing running: the families stay, without samples or at 0.
  const idle = (await scrape({})).samples;
  assert.equal(total(idle, 'appliance_malformed_packets_total'), 0);
  assert.equal(total(idle, 'appliance_tftp_requests_total'), 0);
});
