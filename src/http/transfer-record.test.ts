import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type ApplianceEvent, createEventBus } from '../runtime/events.ts';
import { silentLogger } from '../shared/log.ts';
import { startRecord } from './transfer-record.ts';

test('a record emits exactly one event', () => {
  const bus = createEventBus();
  const seen: ApplianceEvent[] = [];
  bus.subscribe((e) => seen.push(e));
  const r = startRecord(
    { events: bus, log: silentLogger() },
    {
      protocol: 'http',
      direction: 'upload',
      peer: '10.0.0.2',
      path: '/x',
      mac: undefined,
      userAgent: 'FileTransport PolycomVVX-VVX_410-UA/5.9.7',
      status: () => 201,
    },
  );
  r.setPath('0004f28062d6-phone.cfg');
  r.finish('ok', 12);
  r.finish('HTTP_CLIENT_ABORTED', 0);
  assert.equal(seen.length, 1);
  const e = seen[0]!;
  assert.equal(e.type, 'transfer');
  if (e.type !== 'transfer') return;
  assert.equal(e.mac, '0004f28062d6');
  assert.equal(e.result, 'ok');
  assert.equal(e.bytes, 12);
  assert.equal(e.userAgent, 'FileTransport PolycomVVX-VVX_410-UA/5.9.7');
});

test('a connection cut while the server closes is HTTP_SERVER_SHUTDOWN; other results are kept', () => {
  for (const [closing, result, expected] of [
    [false, 'HTTP_CLIENT_ABORTED', 'HTTP_CLIENT_ABORTED'],
    [true, 'HTTP_CLIENT_ABORTED', 'HTTP_SERVER_SHUTDOWN'],
    [true, 'ok', 'ok'],
    [true, 'TREE_IO', 'TREE_IO'],
  ] as const) {
    const bus = createEventBus();
    const seen: ApplianceEvent[] = [];
    bus.subscribe((e) => seen.push(e));
    startRecord(
      { events: bus, log: silentLogger() },
      {
        protocol: 'http',
        direction: 'download',
        peer: '10.0.0.2',
        path: 'hq/x.ld',
        mac: undefined,
        userAgent: undefined,
        status: () => 200,
        closing: () => closing,
      },
    ).finish(result, 5);
    const e = seen[0];
    assert.ok(e?.type === 'transfer');
    assert.equal(e.result, expected, `${closing} ${result}`);
  }
});
