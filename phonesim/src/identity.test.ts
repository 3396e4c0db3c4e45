import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  findModel,
  nthMac,
  parameterRequestList,
  userAgent,
  vendorClass,
} from './identity.ts';

// Facts file §1.1, verbatim from the SIP 3.1 Administrator's Guide (IP 601), without the option header (3c 74)
// and without the trailing ff, which lies outside option 60's declared length.
const IP601 = `
00 00 36 3d
6f
01 07 50 6f 6c 79 63 6f 6d
02 15 53 6f 75 6e 64 50 6f 69 6e 74 49 50 2d 53 50 49 50 5f 36 30 31
03 10 32 33 34 35 2d 31 31 36 30 35 2d 30 30 31 2c 32
04 1c 53 49 50 2f 54 69 70 2e 58 58 58 58 2f 30 38 2d 4a 75 6e 2d 30 37 20 31 30 3a 34 34
05 1d 42 52 2f 33 2e 31 2e 30 2e 58 58 58 58 2f 32 38 2d 41 70 72 2d 30 35 20 31 33 3a 33 30`;

/** A phone of the catalog model `name` (the test fails if the catalog lacks it). */
function phone(
  name: string,
  hardwareRevision = 1,
  mac = 'x',
): Parameters<typeof userAgent>[0] {
  const m = findModel(name);
  assert.ok(m.ok, name);
  return { mac, model: m.value, hardwareRevision };
}

test('option 60 of a simulated IP 601 equals the admin guide example byte for byte', () => {
  const bytes = vendorClass(phone('SPIP601', 2, '0004f2000001'), 'binary', {
    app: 'SIP/Tip.XXXX/08-Jun-07 10:44',
    boot: 'BR/3.1.0.XXXX/28-Apr-05 13:30',
  });
  assert.equal(Buffer.from(bytes).toString('hex'), IP601.replace(/\s+/g, ''));
  assert.equal(bytes.length, 0x74); // option 60 length in the example
});

test('ASCII option 60 form', () => {
  const bytes = vendorClass(phone('VVX_410', 1, '0004f2000001'), 'ascii', {
    app: '',
    boot: '',
  });
  assert.equal(Buffer.from(bytes).toString('latin1'), 'Polycom-VVX410');
});

test('User-Agent as observed from phones', () => {
  for (const [model, version, type, want] of [
    [
      'VVX410',
      '5.9.7.4477',
      'Application',
      'FileTransport PolycomVVX-VVX_410-UA/5.9.7.4477 Type/Application',
    ],
    [
      'ssip6000',
      '5.0.3.1667',
      'Updater',
      'FileTransport PolycomSoundStationIP-SSIP_6000-UA/5.0.3.1667 Type/Updater',
    ],
  ] as const)
    assert.equal(userAgent(phone(model), version, type), want);
});

test('parameter request lists follow the Fingerbank captures', () => {
  for (const [model, vlan, want] of [
    ['SPIP450', 'off', [1, 28, 160, 66, 3, 4, 42, 2, 6, 15]],
    ['SSIP6000', 'off', [1, 3, 15, 160, 66, 3, 4, 54, 42, 2, 6, 15]],
  ] as const)
    assert.deepEqual(parameterRequestList(phone(model), vlan, 160), want);
  assert.deepEqual(
    parameterRequestList(phone('SPIP450'), 'fixed', 160).slice(-4),
    [128, 144, 157, 191],
  );
});

test('MACs count up from a Polycom OUI base; unknown models are errors', () => {
  assert.equal(nthMac('0004f2000000', 0), '0004f2000000');
  assert.equal(nthMac('64167f0000ff', 1), '64167f000100');
  const r = findModel('NOPE123');
  assert.equal(r.ok ? '' : r.error.code, 'SIM_UNKNOWN_MODEL');
});
