import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildNotify, parseResponse } from './message.ts';
import { giveUpAfter, nextInterval, silentSchedule } from './timers.ts';

test('NOTIFY wire form', () => {
  const m = buildNotify({
    target: { address: '10.0.0.57', port: 5060 },
    local: { address: '10.0.0.2', port: 40000 },
    branch: 'abc',
    fromTag: 't1',
    callId: 'c1',
  });
  assert.equal(
    m,
    [
      'NOTIFY sip:10.0.0.57:5060 SIP/2.0',
      'Via: SIP/2.0/UDP 10.0.0.2:40000;branch=z9hG4bKabc;rport',
      'Max-Forwards: 70',
      'From: <sip:appliance@10.0.0.2>;tag=t1',
      'To: <sip:10.0.0.57:5060>',
      'Call-ID: c1@10.0.0.2',
      'CSeq: 1 NOTIFY',
      'Contact: <sip:appliance@10.0.0.2:40000>',
      'Event: check-sync',
      'Subscription-State: terminated',
      'User-Agent: polycom-appliance',
      'Content-Length: 0',
      '',
      '',
    ].join('\r\n'),
  );
  assert.match(
    buildNotify({
      target: { address: 'a', port: 1, user: '1001' },
      local: { address: 'b', port: 2 },
      branch: 'x',
      fromTag: 'y',
      callId: 'z',
      reboot: true,
    }),
    /^NOTIFY sip:1001@a:1 SIP\/2\.0\r\n[\s\S]*Event: check-sync;reboot=true\r\n/,
  );
});

test('responses parse; garbage never throws', () => {
  const r = parseResponse(
    Buffer.from(
      'SIP/2.0 200 OK\r\nv: SIP/2.0/UDP 10.0.0.2:40000;branch=z9hG4bKabc;rport=40000\r\nVia: SIP/2.0/UDP other;branch=z9hG4bKzzz\r\ni: c1@10.0.0.2\r\nCSeq: 1 NOTIFY\r\nContent-Length: 0\r\n\r\n',
    ),
  );
  assert.deepEqual(r, {
    ok: true,
    value: {
      status: 200,
      reason: 'OK',
      branch: 'z9hG4bKabc',
      callId: 'c1@10.0.0.2',
      cseq: '1 NOTIFY',
    },
  });
  for (const bad of [
    '',
    'NOTIFY sip:x SIP/2.0\r\n\r\n',
    'SIP/2.0 200 OK\r\nCSeq: 1 NOTIFY\r\n\r\n',
    'SIP/2.0 999 X\r\n',
    '\u0000'.repeat(100),
  ]) {
    assert.equal(
      parseResponse(Buffer.from(bad)).ok,
      false,
      JSON.stringify(bad),
    );
  }
  let seed = 7;
  for (let i = 0; i < 2000; i++) {
    const b = Buffer.alloc((i % 300) + 1);
    for (let k = 0; k < b.length; k++) {
      seed = (seed * 1103515245 + 12345) >>> 0;
      b[k] = seed >>> 24;
    }
    if (i % 2) Buffer.from('SIP/2.0 200 OK\r\nVia: x;branch=').copy(b);
    parseResponse(b);
  }
});

test('timer schedule: doubling from T1, capped at T2, giving up at 64*T1', () => {
  assert.deepEqual(
    silentSchedule({ t1: 500, t2: 4000 }),
    [0, 500, 1500, 3500, 7500, 11500, 15500, 19500, 23500, 27500, 31500],
  );
  assert.equal(giveUpAfter({ t1: 500, t2: 4000 }), 32_000);
  assert.deepEqual(
    silentSchedule({ t1: 50, t2: 4000 }),
    [0, 50, 150, 350, 750, 1550, 3150],
  );
  assert.equal(
    nextInterval(500, { t1: 500, t2: 4000 }, true),
    4000,
    'proceeding: retransmit every T2',
  );
});
