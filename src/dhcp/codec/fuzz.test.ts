/**
 * Fuzz: 20,000 deterministic mutations of client-shaped seeds (fixed PRNG seed). Decode must never throw and
 * encode(decode(x)) must decode again to the same packet. The 1,000,000-case run is bench/dhcp-fuzz/run.ts.
 */

import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { checkCase, mutate } from '../../../test/lib/dhcp-fuzz-mutate.ts';
import { seedPackets } from '../../../test/lib/dhcp-seeds.ts';
import { prng } from '../../../test/lib/prng.ts';
import { parseHexDump } from './hex-dump.ts';

const CASES = 20_000;
const SEED = 0x5eed_d4c9;

function seeds(): Uint8Array[] {
  const dir = join(import.meta.dirname, '..', 'testdata');
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.hex'))
    .sort();
  const fromFiles = files.map((f) => {
    const r = parseHexDump(readFileSync(join(dir, f), 'utf8'));
    assert.ok(r.ok, f);
    return r.value;
  });
  return [...seedPackets().map(([, b]) => Uint8Array.from(b)), ...fromFiles];
}

test(`fuzz: ${CASES} mutated packets never throw and round-trip`, () => {
  const all = seeds();
  assert.ok(all.length >= 4);
  const rnd = prng(SEED);
  const tally = new Map<string, number>();
  for (let i = 0; i < CASES; i++) {
    const x = mutate(all, rnd);
    let outcome;
    try {
      outcome = checkCase(x);
    } catch (e) {
      assert.fail(
        `case ${i} (seed ${SEED}) threw: ${(e as Error).stack}\ninput: ${Buffer.from(x).toString('hex')}`,
      );
    }
    if (outcome.kind === 'violation')
      assert.fail(
        `case ${i} (seed ${SEED}): ${outcome.why}\ninput: ${Buffer.from(x).toString('hex')}`,
      );
    const key = outcome.kind === 'accepted' ? 'accepted' : outcome.code;
    tally.set(key, (tally.get(key) ?? 0) + 1);
  }
  // The mutations must exercise both paths, not just produce garbage or just valid packets.
  assert.ok(
    (tally.get('accepted') ?? 0) > CASES / 10,
    `too few accepted: ${JSON.stringify([...tally])}`,
  );
  for (const code of [
    'DHCP_TOO_SHORT',
    'DHCP_OPTION_OVERRUN',
    'DHCP_NO_END',
    'DHCP_BAD_COOKIE',
    'DHCP_BAD_OP',
  ]) {
    assert.ok(
      (tally.get(code) ?? 0) > 0,
      `no case hit ${code}: ${JSON.stringify([...tally])}`,
    );
  }
});

test('the mutator is deterministic for a given seed', () => {
  const all = seeds();
  const a = prng(7);
  const b = prng(7);
  for (let i = 0; i < 200; i++)
    assert.deepEqual(mutate(all, a), mutate(all, b));
});
