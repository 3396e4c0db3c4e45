import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ApplianceEvent } from '../runtime/events.ts';
import { silentLogger } from '../shared/log.ts';
import { ConnectionTransfers, createTransferLog } from './transfers.ts';

test('one event per transfer, exactly once, whichever way it ends', () => {
  const seen: ApplianceEvent[] = [];
  let now = 1000;
  const tlog = createTransferLog(
    { emit: (e) => seen.push(e) },
    silentLogger(),
    () => now,
  );
  const conn = new ConnectionTransfers();
  const a = conn.add(
    tlog.begin({
      direction: 'download',
      peer: '10.0.0.2',
      path: 'hq/x.cfg',
      mac: undefined,
      user: 'PlcmSpIp',
    }),
  );
  now = 1250;
  assert.equal(a.finish('ok', 42), true);
  assert.equal(a.finish('FTP_DATA_ERROR'), false);
  conn.settle(a);
  const b = conn.add(
    tlog.begin({
      direction: 'upload',
      peer: '10.0.0.2',
      path: 'hq/y',
      mac: undefined,
      user: 'u',
    }),
  );
  let swept = '';
  b.onSweep = (r) => {
    swept = r;
  };
  b.bytes = 7;
  conn.sweep('FTP_DISCONNECTED');
  conn.sweep('FTP_DISCONNECTED');
  assert.equal(swept, 'FTP_DISCONNECTED');
  assert.equal(seen.length, 2);
  assert.deepEqual(seen[0], {
    type: 'transfer',
    protocol: 'ftp',
    direction: 'download',
    peer: '10.0.0.2',
    mac: undefined,
    path: 'hq/x.cfg',
    bytes: 42,
    durationMs: 250,
    result: 'ok',
  });
  assert.equal((seen[1] as { result: string }).result, 'FTP_DISCONNECTED');
  assert.equal((seen[1] as { bytes: number }).bytes, 7);
});
