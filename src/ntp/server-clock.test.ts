import assert from 'node:assert/strict';
import { test } from 'node:test';
import { refIdAscii, unixNsFromNtp } from './codec/packet.ts';
import { SYNCED_STRATUM, serverClockFor } from './server-clock.ts';

const NOW = 1_796_157_009_183_714_148n;

test('a synchronised host clock: stratum 3, refid HOST, the kernel error estimate as dispersion (capped at 1 s)', () => {
  const c = serverClockFor(
    { synchronised: true, maxErrorS: 0.002, source: 'adjtimex' },
    10,
    NOW,
  );
  assert.equal(c.stratum, SYNCED_STRATUM);
  assert.equal(c.referenceId, refIdAscii('HOST'));
  assert.equal(c.rootDispersion, Math.round(0.002 * 65536));
  assert.equal(
    serverClockFor(
      { synchronised: true, maxErrorS: 16, source: 'adjtimex' },
      10,
      NOW,
    ).rootDispersion,
    65536,
  );
  assert.equal(c.leap, 0);
});

test('an unsynchronised or unknown clock: the configured local stratum, refid LOCL, reference time not after now', () => {
  for (const source of ['adjtimex', 'unknown'] as const) {
    const c = serverClockFor(
      { synchronised: false, maxErrorS: 16, source },
      7,
      NOW,
    );
    assert.equal(c.stratum, 7);
    assert.equal(c.referenceId, 0x4c4f434c);
    assert.equal(c.leap, 0); // served, not "alarm": phones on an isolated VLAN must accept it
    assert.ok(unixNsFromNtp(c.referenceTime) <= NOW);
    assert.ok(NOW - unixNsFromNtp(c.referenceTime) < 1_000_000_000n);
  }
});
