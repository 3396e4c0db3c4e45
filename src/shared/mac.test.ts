import assert from 'node:assert/strict';
import { test } from 'node:test';
import { macColons, macFromFileName, parseMac } from './mac.ts';

test('common MAC spellings normalise; bad ones say why', () => {
  for (const s of [
    '00:04:f2:80:62:d6',
    '00-04-F2-80-62-D6',
    '0004.f280.62d6',
    '0004F28062D6',
  ])
    assert.deepEqual(parseMac(s), { ok: true, value: '0004f28062d6' });
  for (const s of [
    '00:04:f2:80:62',
    '0004f28062dz',
    '000000000000',
    '00:04:f2:80:62:d6:00',
  ])
    assert.equal(parseMac(s).ok, false, s);
  assert.equal(macColons('0004f28062d6'), '00:04:f2:80:62:d6');
});

test('the MAC a Polycom file name carries (one rule for TFTP, FTP and HTTP transfer events)', () => {
  assert.equal(macFromFileName('hq/0004f28062d6-phone.cfg'), '0004f28062d6');
  assert.equal(macFromFileName('0004F28062D6.cfg'), '0004f28062d6');
  assert.equal(macFromFileName('hq/000000000000.cfg'), undefined);
  assert.equal(macFromFileName('000000000000.cfg'), undefined);
  assert.equal(macFromFileName('hq/3111-46162-001.sip.ld'), undefined);
  assert.equal(macFromFileName('ucs/3111-46162-001.sip.ld'), undefined);
  assert.equal(macFromFileName('0004f28062d6x'), undefined);
  assert.equal(macFromFileName('0004f28062d6x.cfg'), undefined);
});
