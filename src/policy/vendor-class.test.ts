import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeVendorClass, encodePolycomVendorClass } from './vendor-class.ts';

const fromHex = (s: string): Uint8Array =>
  Uint8Array.from(Buffer.from(s.replace(/\s+/g, ''), 'hex'));

// Facts §1.1 [AG31]: the option 60 value of a SoundPoint IP 601 (116 bytes; the trailing ff is outside it).
const IP601 = fromHex(`
  00 00 36 3d 6f
  01 07 50 6f 6c 79 63 6f 6d
  02 15 53 6f 75 6e 64 50 6f 69 6e 74 49 50 2d 53 50 49 50 5f 36 30 31
  03 10 32 33 34 35 2d 31 31 36 30 35 2d 30 30 31 2c 32
  04 1c 53 49 50 2f 54 69 70 2e 58 58 58 58 2f 30 38 2d 4a 75 6e 2d 30 37 20 31 30 3a 34 34
  05 1d 42 52 2f 33 2e 31 2e 30 2e 58 58 58 58 2f 32 38 2d 41 70 72 2d 30 35 20 31 33 3a 33 30`);

const IP601_FIELDS = {
  model: 'SoundPointIP-SPIP_601',
  partNumber: '2345-11605-001,2',
  appVersion: 'SIP/Tip.XXXX/08-Jun-07 10:44',
  bootVersion: 'BR/3.1.0.XXXX/28-Apr-05 13:30',
};

test('encodePolycomVendorClass reproduces the admin guide IP 601 bytes exactly', () => {
  assert.equal(IP601.length, 116);
  assert.deepEqual(encodePolycomVendorClass(IP601_FIELDS), IP601);
});

test('the IP 601 example decodes to its labels', () => {
  assert.deepEqual(decodeVendorClass(IP601), {
    vendor: 'polycom',
    form: 'binary',
    text: 'Polycom;SoundPointIP-SPIP_601;2345-11605-001,2;SIP/Tip.XXXX/08-Jun-07 10:44;BR/3.1.0.XXXX/28-Apr-05 13:30',
    company: 'Polycom',
    model: 'SPIP601',
    uaToken: 'SPIP_601',
    partNumber: '2345-11605-001',
    hardwareRevision: '2',
    appVersion: 'SIP/Tip.XXXX/08-Jun-07 10:44',
    bootVersion: 'BR/3.1.0.XXXX/28-Apr-05 13:30',
  });
});

test('a trailing end-of-suboptions 0xFF is tolerated, inside or outside the list length', () => {
  const outside = Uint8Array.of(...IP601, 0xff);
  assert.equal(decodeVendorClass(outside).model, 'SPIP601');
  const inside = Uint8Array.of(...IP601, 0xff);
  inside[4] = 0x70;
  assert.equal(
    decodeVendorClass(inside).bootVersion,
    'BR/3.1.0.XXXX/28-Apr-05 13:30',
  );
  const early = fromHex(
    '00 00 36 3d 0c 01 07 50 6f 6c 79 63 6f 6d ff 02 01 41',
  );
  assert.deepEqual(decodeVendorClass(early), {
    vendor: 'polycom',
    form: 'binary',
    text: 'Polycom',
    company: 'Polycom',
  });
});

test('parsing stops at the list length and keeps what was read before a bad sub-option', () => {
  const short = IP601.slice();
  short[4] = 9; // only sub-option 1 lies inside the list
  assert.deepEqual(decodeVendorClass(short), {
    vendor: 'polycom',
    form: 'binary',
    text: 'Polycom',
    company: 'Polycom',
  });
  const truncated = IP601.subarray(0, 40); // list length says 111, only 35 bytes present
  const d = decodeVendorClass(truncated);
  assert.equal(d.company, 'Polycom');
  assert.equal(d.model, 'SPIP601');
  assert.equal(d.partNumber, undefined);
  assert.deepEqual(decodeVendorClass(fromHex('00 00 36 3d')), {
    vendor: 'other',
    form: 'text',
    text: '\\x00\\x006=',
  });
  assert.deepEqual(decodeVendorClass(fromHex('00 00 36 3d 00')), {
    vendor: 'polycom',
    form: 'binary',
    text: '',
  });
});

test('VVX binary form (UCS updater string)', () => {
  const raw = encodePolycomVendorClass({
    model: 'VVX-VVX_410',
    partNumber: '3111-46162-001,1',
    appVersion: 'SIP/5.9.7.3480/26-Nov-20 13:35',
    bootVersion: 'UP/5.9.7.3480/26-Nov-20 14:05',
  });
  const d = decodeVendorClass(raw);
  assert.equal(d.model, 'VVX410');
  assert.equal(d.uaToken, 'VVX_410');
  assert.equal(d.partNumber, '3111-46162-001');
  assert.equal(d.hardwareRevision, '1');
  assert.equal(d.bootVersion, 'UP/5.9.7.3480/26-Nov-20 14:05');
  assert.equal(
    decodeVendorClass(encodePolycomVendorClass({ model: 'VVX-VVX_D230' }))
      .model,
    'VVXD230',
  );
  assert.equal(
    decodeVendorClass(
      encodePolycomVendorClass({ model: 'SoundStationIP-SSIP_6000' }),
    ).uaToken,
    'SSIP_6000',
  );
});

test('ASCII forms seen in the wild', () => {
  const enc = (s: string) => decodeVendorClass(new TextEncoder().encode(s));
  assert.deepEqual(enc('Polycom-VVX410'), {
    vendor: 'polycom',
    form: 'ascii',
    text: 'Polycom-VVX410',
    model: 'VVX410',
    uaToken: 'VVX_410',
  });
  assert.deepEqual(enc('Poly-VVX-D230'), {
    vendor: 'polycom',
    form: 'ascii',
    text: 'Poly-VVX-D230',
    model: 'VVXD230',
    uaToken: 'VVX_D230',
  });
  assert.deepEqual(enc('Polycom-SSIP6000'), {
    vendor: 'polycom',
    form: 'ascii',
    text: 'Polycom-SSIP6000',
    model: 'SSIP6000',
    uaToken: 'SSIP_6000',
  });
  assert.deepEqual(enc('Polycom-Something'), {
    vendor: 'polycom',
    form: 'ascii',
    text: 'Polycom-Something',
  });
});

test('other vendors and absent values', () => {
  assert.deepEqual(decodeVendorClass(undefined), {
    vendor: 'none',
    form: 'none',
    text: '',
  });
  assert.deepEqual(decodeVendorClass(new Uint8Array(0)), {
    vendor: 'none',
    form: 'none',
    text: '',
  });
  assert.deepEqual(decodeVendorClass(new TextEncoder().encode('MSFT 5.0')), {
    vendor: 'other',
    form: 'text',
    text: 'MSFT 5.0',
  });
  assert.deepEqual(decodeVendorClass(Uint8Array.of(0x41, 0x00, 0x0a, 0x5c)), {
    vendor: 'other',
    form: 'text',
    text: 'A\\x00\\x0a\\x5c',
  });
});

test('encoding is total: over-long fields are cut to fit the 255-byte list', () => {
  const raw = encodePolycomVendorClass({
    model: 'x'.repeat(300),
    partNumber: 'p',
    appVersion: '\u20ac',
  });
  assert.equal(raw[4], 255);
  assert.equal(raw.length, 5 + 255);
  const d = decodeVendorClass(raw);
  assert.equal(d.company, 'Polycom');
  assert.equal(d.partNumber, undefined);
  assert.equal(
    decodeVendorClass(
      encodePolycomVendorClass({ model: 'M', appVersion: '\u20ac' }),
    ).appVersion,
    '?',
  );
});

test('decoding never throws on any 1- and 2-byte tail after the signature', () => {
  for (let a = 0; a < 256; a++)
    for (let b = 0; b < 256; b += 17)
      decodeVendorClass(Uint8Array.of(0, 0, 0x36, 0x3d, a, b, a));
});
