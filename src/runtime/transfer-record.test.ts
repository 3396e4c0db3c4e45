import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pino } from 'pino';
import type { Mac } from '../shared/mac.ts';
import type { ApplianceEvent, TransferEvent } from './events.ts';
import { createTransferRecorder } from './transfer-record.ts';

/** A recorder over a hand-driven clock, collecting its events and log lines. */
function setup(): {
  events: ApplianceEvent[];
  lines: Record<string, unknown>[];
  clock: { t: number };
  recorder: ReturnType<typeof createTransferRecorder>;
} {
  const events: ApplianceEvent[] = [];
  const lines: Record<string, unknown>[] = [];
  const clock = { t: 1000 };
  const log = pino(
    { base: undefined },
    {
      write: (s: string) => {
        lines.push(JSON.parse(s) as Record<string, unknown>);
      },
    },
  );
  const recorder = createTransferRecorder({
    events: { emit: (e) => events.push(e) },
    log,
    now: () => clock.t,
  });
  return { events, lines, clock, recorder };
}

test('exactly one event and one log line per transfer; the first finish wins', () => {
  const { events, lines, clock, recorder } = setup();
  const r = recorder.begin({
    protocol: 'tftp',
    direction: 'download',
    peer: '10.0.0.2',
    path: 'x.cfg',
    mac: undefined,
  });
  clock.t = 1012.34;
  assert.equal(r.finished, false);
  assert.equal(r.finish('ok', 42, { port: 4000 }), true);
  assert.equal(r.finish('TFTP_TIMEOUT', 0), false);
  assert.equal(r.finished, true);
  assert.deepEqual(events, [
    {
      type: 'transfer',
      protocol: 'tftp',
      direction: 'download',
      peer: '10.0.0.2',
      mac: undefined,
      path: 'x.cfg',
      bytes: 42,
      durationMs: 12.3,
      result: 'ok',
    },
  ]);
  assert.equal(lines.length, 1);
  assert.deepEqual(
    { ...lines[0], level: undefined, time: undefined },
    {
      level: undefined,
      time: undefined,
      msg: 'transfer',
      type: 'transfer',
      protocol: 'tftp',
      direction: 'download',
      peer: '10.0.0.2',
      path: 'x.cfg',
      bytes: 42,
      durationMs: 12.3,
      result: 'ok',
      port: 4000,
    },
  );
});

test('one MAC rule: a known MAC, else the one the final path carries', () => {
  const { events, recorder } = setup();
  const upload = (o: Partial<Parameters<typeof recorder.begin>[0]>) =>
    recorder.begin({
      protocol: 'tftp',
      direction: 'upload',
      peer: '10.0.0.2',
      path: 'y',
      mac: undefined,
      ...o,
    });
  upload({ protocol: 'ftp', path: 'hq/0004f28062d6-phone.cfg' }).finish(
    'ok',
    1,
  );
  const b = upload({
    protocol: 'http',
    peer: '10.0.0.3',
    path: '/x',
    mac: '0004f2000001' as Mac,
    userAgent: undefined,
  });
  b.setPath('0004f28062d6-phone.cfg');
  b.setMac(undefined);
  b.finish('ok', 1);
  const c = upload({ peer: '10.0.0.4' });
  c.setMac('0004f2000002' as Mac);
  c.finish('ok', 1);
  const macs = (events as TransferEvent[]).map((e) => e.mac);
  assert.deepEqual(macs, ['0004f28062d6', '0004f2000001', '0004f2000002']);
});

test('userAgent is in the event exactly when the start has it; long paths are cut', () => {
  const { events, recorder } = setup();
  recorder
    .begin({
      protocol: 'https',
      direction: 'download',
      peer: 'p',
      path: 'a',
      mac: undefined,
      userAgent: 'FileTransport PolycomVVX',
    })
    .finish('ok', 0);
  recorder
    .begin({
      protocol: 'ftp',
      direction: 'download',
      peer: 'p',
      path: 'b'.repeat(2000),
      mac: undefined,
    })
    .finish('FTP_DISCONNECTED', 0);
  const [withUa, without] = events as TransferEvent[];
  assert.equal(withUa!.userAgent, 'FileTransport PolycomVVX');
  assert.equal('userAgent' in without!, false);
  assert.equal(without!.path.length, 512);
});

test('the release that answered is in the log line (not the event), only when one did', () => {
  const { events, lines, recorder } = setup();
  const a = recorder.begin({
    protocol: 'tftp',
    direction: 'download',
    peer: 'p',
    path: 'hq/SoundPointIP-dictionary.xml',
    mac: undefined,
  });
  a.setRelease('old');
  a.setRelease(undefined);
  a.finish('ok', 10);
  recorder
    .begin({
      protocol: 'ftp',
      direction: 'download',
      peer: 'p',
      path: 'hq/x.cfg',
      mac: undefined,
    })
    .finish('ok', 1);
  assert.equal(lines[0]!.release, 'old');
  assert.equal('release' in lines[1]!, false);
  assert.equal('release' in events[0]!, false);
});
