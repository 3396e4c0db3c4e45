import assert from 'node:assert/strict';
import { test } from 'node:test';
import { prng } from '../../../test/lib/prng.ts';
import {
  decodePacket,
  decodeRequest,
  encodePacket,
  MODE_SERVER,
  type NtpPacket,
  ntpFromUnixNs,
  refIdAscii,
  serverReply,
  shortFromSeconds,
  unixNsFromNtp,
} from './packet.ts';

const clientRequest = (
  version: number,
  mode = 3,
  transmit = 0xe1a2b3c4d5e6f708n,
  len = 48,
): Buffer => {
  const b = Buffer.alloc(len);
  b[0] = (version << 3) | mode;
  b[2] = 6; // poll
  b.writeBigUInt64BE(transmit, 40);
  return b;
};

test('a v4 and a v3 client request decode; version and poll are echoed, origin = their transmit time', () => {
  for (const version of [3, 4]) {
    const req = decodeRequest(clientRequest(version));
    assert.ok(req.ok);
    const clock = {
      leap: 0,
      stratum: 10,
      precision: -20,
      rootDelay: 0,
      rootDispersion: shortFromSeconds(0.01),
      referenceId: refIdAscii('LOCL'),
      referenceTime: 5n << 32n,
    };
    const reply = decodePacket(serverReply(req.value, clock, 7n, 9n));
    assert.ok(reply.ok);
    assert.equal(reply.value.version, version);
    assert.equal(reply.value.mode, MODE_SERVER);
    assert.equal(reply.value.poll, 6);
    assert.equal(reply.value.stratum, 10);
    assert.equal(reply.value.originTime, 0xe1a2b3c4d5e6f708n);
    assert.equal(reply.value.receiveTime, 7n);
    assert.equal(reply.value.transmitTime, 9n);
    assert.equal(reply.value.referenceId, 0x4c4f434c);
    assert.equal(reply.value.rootDispersion, 655);
  }
});

test('runts, versions 0 and 5-7, and every mode but 3 are typed errors', () => {
  assert.deepEqual(decodeRequest(Buffer.alloc(47)), {
    ok: false,
    error: 'NTP_RUNT',
  });
  assert.deepEqual(decodeRequest(Buffer.alloc(0)), {
    ok: false,
    error: 'NTP_RUNT',
  });
  for (const v of [0, 5, 6, 7])
    assert.deepEqual(decodeRequest(clientRequest(v)), {
      ok: false,
      error: 'NTP_BAD_VERSION',
    });
  for (const m of [0, 1, 2, 4, 5, 6, 7])
    assert.deepEqual(decodeRequest(clientRequest(4, m)), {
      ok: false,
      error: 'NTP_BAD_MODE',
    });
  // Extension fields / a MAC after the header are ignored.
  assert.ok(decodeRequest(clientRequest(4, 3, 1n, 68)).ok);
});

test('Unix ns ↔ NTP timestamps round-trip to the nanosecond and the epoch offset is 2208988800 s', () => {
  assert.equal(ntpFromUnixNs(0n), 2208988800n << 32n);
  assert.equal(ntpFromUnixNs(500_000_000n) & 0xffffffffn, 0x80000000n);
  for (const ns of [
    1_796_157_009_183_714_148n,
    1_000_000_001n,
    1_234_567_890_123_456_789n,
  ]) {
    const back = unixNsFromNtp(ntpFromUnixNs(ns));
    assert.ok(ns - back >= 0n && ns - back <= 1n, `${ns} → ${back}`);
  }
});

test('encode is deterministic and decode(encode(p)) = p', () => {
  const p: NtpPacket = {
    leap: 1,
    version: 4,
    mode: 4,
    stratum: 3,
    poll: -3,
    precision: -20,
    rootDelay: 0x10002,
    rootDispersion: 77,
    referenceId: 0xdeadbeef,
    referenceTime: 1n,
    originTime: 2n ** 64n - 1n,
    receiveTime: 3n,
    transmitTime: 4n,
  };
  const a = encodePacket(p);
  assert.deepEqual(a, encodePacket(p));
  const d = decodePacket(a);
  assert.ok(d.ok);
  assert.deepEqual(d.value, p);
});

test('fuzz: 20,000 seeded random datagrams never throw; every decoded request re-encodes to its header', () => {
  const rnd = prng(0x5eed_0123);
  for (let i = 0; i < 20_000; i++) {
    const len = Math.floor(rnd() * 96);
    const b = Buffer.alloc(len);
    for (let j = 0; j < len; j++) b[j] = Math.floor(rnd() * 256);
    if (len > 0 && rnd() < 0.5) b[0] = (b[0]! & 0xc0) | (4 << 3) | 3; // half look like v4 client requests
    let r: ReturnType<typeof decodeRequest>;
    try {
      r = decodeRequest(b);
    } catch (e) {
      assert.fail(`seed 0x5eed0123 #${i} threw: ${String(e)}`);
    }
    if (r.ok)
      assert.deepEqual(encodePacket(r.value), b.subarray(0, 48), `#${i}`);
    else
      assert.ok(
        ['NTP_RUNT', 'NTP_BAD_VERSION', 'NTP_BAD_MODE'].includes(r.error),
      );
  }
});
