/** Fuzz of the packet codec with a deterministic PRNG: decode never throws; whatever decodes re-encodes and decodes again. */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { prng as mulberry32 } from '../../../test/lib/prng.ts';
import { decode, encode } from './packet.ts';

const SEEDS = [
  Buffer.from(
    '\x00\x01000000000000.cfg\x00octet\x00blksize\x001468\x00tsize\x000\x00windowsize\x0016\x00',
    'latin1',
  ),
  Buffer.from(
    '\x00\x020004f28062d6-phone.cfg\x00octet\x00tsize\x00512\x00',
    'latin1',
  ),
  Buffer.from('\x00\x03\x00\x01hello world', 'latin1'),
  Buffer.from('\x00\x04\xff\xff', 'latin1'),
  Buffer.from('\x00\x05\x00\x01File not found\x00', 'latin1'),
  Buffer.from('\x00\x06blksize\x00512\x00', 'latin1'),
];

test('packet codec survives 20,000 random and mutated datagrams', () => {
  const rnd = mulberry32(0x7f7f2026);
  const int = (n: number): number => Math.floor(rnd() * n);
  let decoded = 0;
  for (let i = 0; i < 20_000; i++) {
    let b: Buffer;
    if (i % 3 === 0) {
      b = Buffer.alloc(int(40));
      for (let j = 0; j < b.length; j++) b[j] = int(4) === 0 ? 0 : int(256);
      if (b.length >= 2 && int(2) === 0) {
        b[0] = 0;
        b[1] = int(8);
      }
    } else {
      b = Buffer.from(SEEDS[int(SEEDS.length)]!);
      const muts = 1 + int(4);
      for (let m = 0; m < muts; m++) {
        const k = int(4);
        if (k === 0 && b.length > 0) b[int(b.length)] = int(256);
        else if (k === 1) b = b.subarray(0, int(b.length + 1));
        else if (k === 2)
          b = Buffer.concat([b, Buffer.of(int(2) === 0 ? 0 : int(256))]);
        else if (b.length > 0) b[int(b.length)] = 0;
      }
    }
    let r: ReturnType<typeof decode>;
    try {
      r = decode(b);
    } catch (e) {
      assert.fail(`decode threw on ${b.toString('hex')}: ${String(e)}`);
    }
    if (r.ok) {
      decoded++;
      const again = decode(encode(r.value));
      assert.ok(
        again.ok,
        `re-encoded packet does not decode: ${b.toString('hex')}`,
      );
      assert.equal(again.value.op, r.value.op);
    }
  }
  assert.ok(
    decoded > 1000,
    `only ${decoded} cases decoded: the generator is too weak`,
  );
});
