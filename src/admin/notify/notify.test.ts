import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildNotify, parseResponse } from './message.ts';
import { silentSchedule, giveUpAfter, nextInterval } from './timers.ts';
import { planJobs, runWaves, type WaveTarget } from './waves.ts';
import { selectTargets } from './targets.ts';
import { labModel } from '../../../test/lib/admin/fixture.ts';
import type { PhoneView } from '../inventory/types.ts';

test('NOTIFY wire form', () => {
  const m = buildNotify({ target: { address: '10.0.0.57', port: 5060 }, local: { address: '10.0.0.2', port: 40000 }, branch: 'abc', fromTag: 't1', callId: 'c1' });
  assert.equal(m, [
    'NOTIFY sip:10.0.0.57:5060 SIP/2.0', 'Via: SIP/2.0/UDP 10.0.0.2:40000;branch=z9hG4bKabc;rport', 'Max-Forwards: 70',
    'From: <sip:appliance@10.0.0.2>;tag=t1', 'To: <sip:10.0.0.57:5060>', 'Call-ID: c1@10.0.0.2', 'CSeq: 1 NOTIFY', 'Contact: <sip:appliance@10.0.0.2:40000>', 'Event: check-sync',
    'Subscription-State: terminated', 'User-Agent: polycom-appliance', 'Content-Length: 0', '', ''].join('\r\n'));
  assert.match(buildNotify({ target: { address: 'a', port: 1, user: '1001' }, local: { address: 'b', port: 2 }, branch: 'x', fromTag: 'y', callId: 'z', reboot: true }), /^NOTIFY sip:1001@a:1 SIP\/2\.0\r\n[\s\S]*Event: check-sync;reboot=true\r\n/);
});

test('responses parse; garbage never throws', () => {
  const r = parseResponse(Buffer.from('SIP/2.0 200 OK\r\nv: SIP/2.0/UDP 10.0.0.2:40000;branch=z9hG4bKabc;rport=40000\r\nVia: SIP/2.0/UDP other;branch=z9hG4bKzzz\r\ni: c1@10.0.0.2\r\nCSeq: 1 NOTIFY\r\nContent-Length: 0\r\n\r\n'));
  assert.deepEqual(r, { ok: true, value: { status: 200, reason: 'OK', branch: 'z9hG4bKabc', callId: 'c1@10.0.0.2', cseq: '1 NOTIFY' } });
  for (const bad of ['', 'NOTIFY sip:x SIP/2.0\r\n\r\n', 'SIP/2.0 200 OK\r\nCSeq: 1 NOTIFY\r\n\r\n', 'SIP/2.0 999 X\r\n', '\u0000'.repeat(100)]) {
    assert.equal(parseResponse(Buffer.from(bad)).ok, false, JSON.stringify(bad));
  }
  let seed = 7;
  for (let i = 0; i < 2000; i++) {
    const b = Buffer.alloc((i % 300) + 1);
    for (let k = 0; k < b.length; k++) { seed = (seed * 1103515245 + 12345) >>> 0; b[k] = seed >>> 24; }
    if (i % 2) Buffer.from('SIP/2.0 200 OK\r\nVia: x;branch=').copy(b);
    parseResponse(b);
  }
});

test('timer schedule: doubling from T1, capped at T2, giving up at 64*T1', () => {
  assert.deepEqual(silentSchedule({ t1: 500, t2: 4000 }), [0, 500, 1500, 3500, 7500, 11500, 15500, 19500, 23500, 27500, 31500]);
  assert.equal(giveUpAfter({ t1: 500, t2: 4000 }), 32_000);
  assert.deepEqual(silentSchedule({ t1: 50, t2: 4000 }), [0, 50, 150, 350, 750, 1550, 3150]);
  assert.equal(nextInterval(500, { t1: 500, t2: 4000 }, true), 4000, 'proceeding: retransmit every T2');
});

test('waves: the next wave starts only after the previous one re-fetched', async () => {
  const targets: WaveTarget[] = ['a', 'b', 'c', 'd', 'e'].map((m, i) => ({ mac: m, address: `10.0.0.${i + 1}` }));
  const log: string[] = [];
  const refetch = new Map<string, () => void>();
  let clock = 0;
  const jobs = planJobs(targets, 2);
  assert.deepEqual(jobs.map((j) => j.wave), [1, 1, 2, 2, 3]);
  const done = runWaves({
    targets, waveSize: 2, refetchTimeoutMs: 1000, now: () => ++clock, onProgress: () => undefined,
    notify: async (t) => { log.push(`notify ${t.mac}`); return t.mac === 'c' ? { result: 'ADMIN_NOTIFY_TIMEOUT', status: undefined, reason: 'x', attempts: 7, ms: 1 } : { result: 'ok', status: 200, reason: 'OK', attempts: 1, ms: 1 }; },
    waitRefetch: (mac) => new Promise((r) => refetch.set(mac, () => { log.push(`fetched ${mac}`); r(++clock); })),
  }, jobs);
  const tick = (): Promise<void> => new Promise((r) => setImmediate(r));
  await tick();
  assert.deepEqual(log, ['notify a', 'notify b']);
  refetch.get('a')!();
  await tick();
  assert.deepEqual(log, ['notify a', 'notify b', 'fetched a'], 'b has not re-fetched: wave 2 waits');
  refetch.get('b')!();
  await tick();
  assert.deepEqual(log.slice(3), ['fetched b', 'notify c', 'notify d']);
  refetch.get('d')!();
  await tick();
  refetch.get('e')!();
  await done;
  assert.deepEqual(jobs.map((j) => j.state), ['refetched', 'refetched', 'ADMIN_NOTIFY_TIMEOUT', 'refetched', 'refetched']);
});

test('selectors: MAC, all, site, model, unknown', () => {
  const model = labModel();
  const seen = [{ mac: '0004f2a00001', address: '10.91.10.100', site: 'hq', model: 'VVX410' }, { mac: '0004f2b00009', address: '10.92.10.50', site: 'branch', model: 'VVX410' }] as PhoneView[];
  const macs = (s: string): string[] | string => { const r = selectTargets(s, seen, model); return r.ok ? r.value.map((t) => `${t.mac}@${t.address ?? '-'}`) : r.error.code; };
  assert.deepEqual(macs('all'), ['0004f2a00001@10.91.10.100', '0004f2a00002@-', '0004f2b00009@10.92.10.50']);
  assert.deepEqual(macs('00:04:F2:A0:00:01'), ['0004f2a00001@10.91.10.100']);
  assert.deepEqual(macs('hq'), ['0004f2a00001@10.91.10.100', '0004f2a00002@-']);
  assert.deepEqual(macs('model:VVX410'), ['0004f2a00001@10.91.10.100', '0004f2b00009@10.92.10.50']);
  assert.equal(macs('SSIP9999'), 'ADMIN_NOTIFY_NO_TARGET');
  assert.equal(macs('0004f2ffffff'), 'ADMIN_NOTIFY_NO_TARGET');
});
