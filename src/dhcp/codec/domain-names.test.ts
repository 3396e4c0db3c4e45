import assert from 'node:assert/strict';
import { test } from 'node:test';
import { domains, sipServers } from './domain-names.ts';

const b = (...x: number[]) => Uint8Array.from(x);

test('option 119: names encode uncompressed and decode, with compression pointers (RFC 3397 example)', () => {
  const r = domains.encode(['eng.apple.com', 'marketing.apple.com.']);
  assert.ok(r.ok);
  assert.deepEqual(domains.decode(r.value), [
    'eng.apple.com',
    'marketing.apple.com',
  ]);
  // RFC 3397 §3: "eng.apple.com" then "marketing" + pointer to "apple.com" at offset 4.
  const compressed = b(
    3,
    0x65,
    0x6e,
    0x67,
    5,
    0x61,
    0x70,
    0x70,
    0x6c,
    0x65,
    3,
    0x63,
    0x6f,
    0x6d,
    0,
    9,
    0x6d,
    0x61,
    0x72,
    0x6b,
    0x65,
    0x74,
    0x69,
    0x6e,
    0x67,
    0xc0,
    0x04,
  );
  assert.deepEqual(domains.decode(compressed), [
    'eng.apple.com',
    'marketing.apple.com',
  ]);
  assert.equal(domains.decode(b(0xc0, 0x00)), undefined); // self pointer
  assert.equal(domains.decode(b(1, 0x61, 0xc0, 0x02)), undefined); // forward/self loop
  assert.equal(domains.decode(b(3, 0x61)), undefined);
  assert.equal(domains.decode(b(0)), undefined);
  assert.equal(domains.decode(b()), undefined);
  assert.equal(domains.encode([]).ok, false);
  assert.equal(domains.encode(['bad..name']).ok, false);
  assert.equal(domains.encode(['-x.example']).ok, false);
  assert.equal(
    domains.encode([`${`${'a'.repeat(63)}.`.repeat(4)}com`]).ok,
    false,
  );
});

test('option 120: SIP servers as names (0) or addresses (1)', () => {
  const n = sipServers.encode({ names: ['sip.example'] });
  assert.ok(n.ok);
  assert.deepEqual(Array.from(n.value.subarray(0, 2)), [0, 3]);
  assert.deepEqual(sipServers.decode(n.value), { names: ['sip.example'] });
  const a = sipServers.encode({ addresses: ['10.91.1.1'] });
  assert.ok(a.ok);
  assert.deepEqual(Array.from(a.value), [1, 10, 91, 1, 1]);
  assert.deepEqual(sipServers.decode(a.value), { addresses: ['10.91.1.1'] });
  assert.equal(sipServers.decode(b(2, 1, 2, 3, 4)), undefined);
  assert.equal(sipServers.decode(b(1)), undefined);
});
