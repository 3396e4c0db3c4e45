import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  applicationImagePath,
  inDir,
  parseMasterConfig,
  substitute,
} from './master-config.ts';

const POLYCOM_MASTER = `<?xml version="1.0" standalone="yes"?>
<!-- Default Master SIP Configuration File-->
<APPLICATION APP_FILE_PATH="sip.ld" CONFIG_FILES="" MISC_FILES="" LOG_FILE_DIRECTORY="" OVERRIDES_DIRECTORY=""
             CONTACTS_DIRECTORY="" LICENSE_DIRECTORY="" USER_PROFILES_DIRECTORY="" CALL_LISTS_DIRECTORY="">
  <APPLICATION_SPIP300 APP_FILE_PATH_SPIP300="sip_213.ld" CONFIG_FILES_SPIP300="phone1_213.cfg, sip_213.cfg"/>
  <APPLICATION_SPIP500 APP_FILE_PATH_SPIP500="sip_213.ld" CONFIG_FILES_SPIP500="phone1_213.cfg, sip_213.cfg"/>
  <APPLICATION_SPIP430 APP_FILE_PATH_SPIP430="sip_327.ld" CONFIG_FILES_SPIP430="phone1_327.cfg, sip_327.cfg"/>
  <APPLICATION_SSIP4000 APP_FILE_PATH_SSIP4000="sip_318.ld" CONFIG_FILES_SSIP4000="phone1_318.cfg, sip_318.cfg"/>
</APPLICATION>`;

const UCS_MASTER = `<?xml version="1.0" standalone="yes"?>
<APPLICATION APP_FILE_PATH="ucs-5.9.7/sip.ld" CONFIG_FILES="[PHONE_MAC_ADDRESS]-user.cfg, common.cfg, [PHONE_MODEL]-[MACADDRESS].cfg"
  LOG_FILE_DIRECTORY="logs" OVERRIDES_DIRECTORY="overrides/" CONTACTS_DIRECTORY="contacts" CALL_LISTS_DIRECTORY="calls"
  LICENSE_DIRECTORY="" MISC_FILES="">
  <APPLICATION_VVX1500 BOOTBLOCK_FILE_PATH_VVX1500="bootblock.ld" />
</APPLICATION>`;

const vvx = {
  mac: '0004f28062d6',
  model: 'VVX410',
  partNumber: '3111-46162-001',
};

test('generic attributes, substitution tokens, CONFIG_FILES split in order', () => {
  const r = parseMasterConfig(UCS_MASTER, vvx);
  assert.ok(r.ok);
  assert.equal(r.value.appFilePath, 'ucs-5.9.7/sip.ld');
  assert.deepEqual(r.value.configFiles, [
    '0004f28062d6-user.cfg',
    'common.cfg',
    'VVX410-0004f28062d6.cfg',
  ]);
  assert.equal(r.value.logDir, 'logs');
  assert.equal(r.value.overridesDir, 'overrides/');
  assert.equal(r.value.callListsDir, 'calls');
  assert.deepEqual(r.value.miscFiles, []);
});

test('per-model element overrides the generic attributes for that model only', () => {
  for (const [n, model, partNumber, app, files] of [
    [
      1,
      'SPIP430',
      '2345-11402-001',
      'sip_327.ld',
      ['phone1_327.cfg', 'sip_327.cfg'],
    ],
    [2, 'SSIP4000', '2201-06642-001', 'sip_318.ld', undefined],
    [3, 'SPIP650', '2345-12600-001', 'sip.ld', []],
  ] as const) {
    const r = parseMasterConfig(POLYCOM_MASTER, {
      mac: `0004f200000${n}`,
      model,
      partNumber,
    });
    assert.ok(r.ok, model);
    assert.equal(r.value.appFilePath, app, model);
    if (files) assert.deepEqual(r.value.configFiles, files, model);
  }
});

test('SPIP300 does not pick SPIP3000-like attributes of another model', () => {
  const xml =
    '<APPLICATION APP_FILE_PATH="sip.ld"><APPLICATION_SPIP3000 APP_FILE_PATH_SPIP3000="x.ld"/></APPLICATION>';
  const r = parseMasterConfig(xml, {
    mac: '0004f2000001',
    model: 'SPIP300',
    partNumber: 'p',
  });
  assert.ok(r.ok);
  assert.equal(r.value.appFilePath, 'sip.ld');
});

test('the Lync seed: CONFIG_FILES="shared.cfg,[MACADDRESS]-lync.cfg"', () => {
  const r = parseMasterConfig(
    '<APPLICATION APP_FILE_PATH="sip.ld" CONFIG_FILES="shared.cfg,[MACADDRESS]-lync.cfg"/>',
    vvx,
  );
  assert.ok(r.ok);
  assert.deepEqual(r.value.configFiles, [
    'shared.cfg',
    '0004f28062d6-lync.cfg',
  ]);
});

test('a file that is not a master config is an error, never a throw', () => {
  const r1 = parseMasterConfig('<PHONE_CONFIG a.b="1"/>', vvx);
  assert.equal(r1.ok ? '' : r1.error.code, 'SIM_MASTER_INVALID');
  for (const junk of [
    '',
    'garbage',
    '<APPLICATION',
    '<APPLICATION a=1/>',
    '<A><B></A>',
    '\u0000\u0001<<<',
  ]) {
    const r = parseMasterConfig(junk, vvx);
    assert.equal(r.ok, false, junk);
  }
});

test('application image: part number prefixed to split names, legacy names as-is', () => {
  for (const [file, part, want] of [
    ['ucs/sip.ld', '3111-46162-001', 'ucs/3111-46162-001.sip.ld'],
    ['sip.ld', '2345-12600-001', '2345-12600-001.sip.ld'],
    [
      '3111-44500-001.sip.ld',
      '3111-44500-001',
      '3111-44500-001.3111-44500-001.sip.ld',
    ],
    ['sip_212.ld', '2345-11500-030', 'sip_212.ld'],
    ['legacy/sip_318.ld', 'x', 'legacy/sip_318.ld'],
  ] as const)
    assert.equal(applicationImagePath(file, part), want, file);
});

test('inDir and substitute', () => {
  assert.equal(inDir('', 'a.log'), 'a.log');
  assert.equal(inDir('/logs/', 'a.log'), 'logs/a.log');
  assert.equal(inDir('hq\\logs', 'a.log'), 'hq/logs/a.log');
  assert.equal(
    substitute('[PHONE_PART_NUMBER].bootrom.ld', vvx),
    '3111-46162-001.bootrom.ld',
  );
});
