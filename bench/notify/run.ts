/**
 * check-sync throughput: our NOTIFY client (src/sip/sender.ts) versus sipp as the sending peer, same
 * lab, same receiver (one sipp UAS answering 200 in its own namespace), same count and concurrency.
 * Also the inventory's event ingest rate (pure, no peer).
 *   node bench/notify/run.ts [--count 5000] [--parallel 200]
 * Root only (network namespaces); lab 10.91.10.0/24, prefix "opsb".
 */

import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { createInventory } from '../../src/inventory/inventory.ts';
import {
  decodeVendorClass,
  encodePolycomVendorClass,
} from '../../src/policy/vendor-class.ts';
import type { Mac } from '../../src/shared/mac.ts';
import { labModel } from '../../test/lib/admin/fixture.ts';
import { createLab, waitFor } from '../../test/lib/netns.ts';
import { answeringPhone } from '../../test/lib/sipp-scenarios.ts';

const { values } = parseArgs({
  options: {
    count: { type: 'string', default: '5000' },
    parallel: { type: 'string', default: '200' },
  },
});
const COUNT = Number(values.count);
const PARALLEL = Number(values.parallel);
const REPO = resolve(new URL('../..', import.meta.url).pathname);

const UAS = answeringPhone('uas');
const UAC = `<?xml version="1.0" encoding="ISO-8859-1" ?>
<scenario name="uac"><send retrans="500"><![CDATA[
NOTIFY sip:[remote_ip]:[remote_port] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
Max-Forwards: 70
From: <sip:bench@[local_ip]>;tag=[pid]SIPpTag00[call_number]
To: <sip:[remote_ip]:[remote_port]>
Call-ID: [call_id]
CSeq: 1 NOTIFY
Event: check-sync
Content-Length: 0

]]></send><recv response="200"/></scenario>
`;

const OURS = `
import { createNotifier } from '${REPO}/src/sip/sender.ts';
import { silentLogger } from '${REPO}/src/shared/log.ts';
const n = await createNotifier({ localAddress: '10.91.10.1', log: silentLogger() });
const count = ${COUNT}, parallel = ${PARALLEL};
let next = 0, ok = 0;
const t0 = performance.now();
await Promise.all(Array.from({ length: parallel }, async () => { while (next++ < count) { const r = await n.notify({ address: '10.91.10.2' }); if (r.result === 'ok') ok++; } }));
const ms = performance.now() - t0;
console.log(JSON.stringify({ ok, ms, retransmits: n.stats().retransmits }));
await n.close();
`;

const dir = await mkdtemp(join(tmpdir(), 'opsb-'));
await writeFile(join(dir, 'uas.xml'), UAS);
await writeFile(join(dir, 'uac.xml'), UAC);
await writeFile(join(dir, 'ours.ts'), OURS);
const lab = await createLab({
  prefix: 'opsb',
  hosts: ['srv', 'ph'],
  subnet: '10.91.10',
});
const results: Record<string, unknown> = {};
try {
  const uas = () =>
    lab.spawn(
      'ph',
      [
        'sipp',
        '-sf',
        join(dir, 'uas.xml'),
        '-i',
        '10.91.10.2',
        '-p',
        '5060',
        '-nostdin',
        '-buff_size',
        '8388608',
      ],
      { stdio: 'ignore' },
    );
  let server = uas();
  await waitFor(
    async () =>
      (await lab.exec('ph', ['ss', '-Hlun', 'sport = :5060'])).stdout.includes(
        '5060',
      ),
    5000,
    'sipp uas',
  );
  const o = await lab.exec('srv', [process.execPath, join(dir, 'ours.ts')], {
    timeoutMs: 120_000,
  });
  const ours = JSON.parse(o.stdout) as {
    ok: number;
    ms: number;
    retransmits: number;
  };
  server.kill('SIGKILL');
  server = uas();
  await waitFor(
    async () =>
      (await lab.exec('ph', ['ss', '-Hlun', 'sport = :5060'])).stdout.includes(
        '5060',
      ),
    5000,
    'sipp uas',
  );
  const t0 = performance.now();
  const s = await lab.exec(
    'srv',
    [
      'sipp',
      '10.91.10.2:5060',
      '-sf',
      join(dir, 'uac.xml'),
      '-i',
      '10.91.10.1',
      '-p',
      '5070',
      '-m',
      String(COUNT),
      '-l',
      String(PARALLEL),
      '-r',
      '100000',
      '-nostdin',
      '-trace_err',
      '-error_file',
      join(dir, 'uac.err'),
    ],
    { timeoutMs: 120_000, allowFail: true },
  );
  const sippMs = performance.now() - t0;
  const okCalls = /Successful call\s*\|\s*\d+\s*\|\s*(\d+)/.exec(s.stdout)?.[1];
  server.kill('SIGKILL');
  results.notify = {
    count: COUNT,
    parallel: PARALLEL,
    ours: {
      ok: ours.ok,
      ms: Math.round(ours.ms),
      perSecond: Math.round((ours.ok / ours.ms) * 1000),
      retransmits: ours.retransmits,
    },
    sipp: {
      exit: s.code,
      ok: okCalls === undefined ? undefined : Number(okCalls),
      ms: Math.round(sippMs),
      perSecond: okCalls
        ? Math.round((Number(okCalls) / sippMs) * 1000)
        : undefined,
    },
  };
} finally {
  await lab.destroy();
}

// Inventory ingest: a boot storm's events (DHCP ACK + 8 transfers per phone) for 10,000 phones.
const model = labModel();
const inv = createInventory({ model: { current: () => model } });
// Option 60 of a VVX 410 running UCS 5.9.7, decoded as the DHCP server does.
const vendor = decodeVendorClass(
  encodePolycomVendorClass({
    model: 'VVX-VVX_410',
    partNumber: '3111-46162-001,1',
    appVersion: 'SIP/5.9.7.4477/x',
    bootVersion: 'UP/5.9.7.3828/x',
  }),
);
const labels = {
  model: vendor.model,
  partNumber: vendor.partNumber,
  vendorClass: vendor.text,
};
const t1 = performance.now();
let events = 0;
for (let i = 0; i < 10_000; i++) {
  const mac = `0004f2${i.toString(16).padStart(6, '0')}` as Mac;
  const ip = `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
  inv.apply({
    type: 'dhcp',
    message: 'REQUEST',
    reply: 'ACK',
    mac,
    site: 'hq',
    address: ip,
    labels,
    vendor,
    result: 'ok',
  });
  events++;
  for (const path of [
    '000000000000.cfg',
    'site.cfg',
    'common.cfg',
    `${mac}-appliance.cfg`,
    `${mac}-phone.cfg`,
    'ucs/sip.ver',
    `logs/${mac}-boot.log`,
    `logs/${mac}-app.log`,
  ]) {
    inv.apply({
      type: 'transfer',
      protocol: 'http',
      direction: path.startsWith('logs') ? 'upload' : 'download',
      peer: ip,
      mac: undefined,
      path,
      bytes: 1000,
      durationMs: 1,
      result: path.endsWith('-phone.cfg') ? 'TREE_NOT_FOUND' : 'ok',
      userAgent:
        'FileTransport PolycomVVX-VVX_410-UA/5.9.7.4477 Type/Application',
    });
    events++;
  }
}
const ingestMs = performance.now() - t1;
const t2 = performance.now();
const listed = inv.list().length;
const listMs = performance.now() - t2;
const t3 = performance.now();
const bytes = JSON.stringify(inv.snapshot()).length;
const snapMs = performance.now() - t3;
results.inventory = {
  phones: listed,
  events,
  ingestMs: Math.round(ingestMs),
  eventsPerSecond: Math.round((events / ingestMs) * 1000),
  listMs: Math.round(listMs),
  snapshotBytes: bytes,
  snapshotMs: Math.round(snapMs),
};
console.log(JSON.stringify(results, null, 2));
