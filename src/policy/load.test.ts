/** The domain's checks run with the loader: a model in use without its image is a warning at file:line:col. */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { smallYamlHead } from '../../test/lib/small-yaml.ts';
import { loadApplianceText } from './load.ts';

const YAML = `${smallYamlHead('ftp')}phones:
  "00:04:f2:80:62:d6": { site: hq, model: VVX410 }
  "00:04:f2:00:00:01": { model: VVX410 }
`;

test('warnings: factory password, missing firmware image, phone outside every site', () => {
  const r = loadApplianceText(YAML, 'appliance.yaml');
  assert.ok(r.ok);
  const codes = [...new Set(r.value.warnings.map((w) => w.code))].sort();
  assert.deepEqual(codes, [
    'CFG_DEFAULT_PASSWORD',
    'CFG_FIRMWARE_MISSING',
    'CFG_PHONE_SITE',
  ]);
  const missing = r.value.warnings.find(
    (w) => w.code === 'CFG_FIRMWARE_MISSING',
  )!;
  assert.equal(`${missing.line}:${missing.col}`, '13:43');
  assert.match(
    missing.message,
    /VVX410 uses firmware "ucs" but ucs\/3111-46162-001\.sip\.ld is not in tftpboot\/ yet/,
  );
});

test('https with SoundPoint/SoundStation phones and no plain HTTP: an error at the boot server', () => {
  const yaml = YAML.replace('{ protocol: ftp }', '{ protocol: https }')
    .replace(
      'appliance:\n',
      'appliance:\n  services: { http: { enabled: false }, https: { enabled: true } }\n',
    )
    .replace(
      '"00:04:f2:00:00:01": { model: VVX410 }',
      '"00:04:f2:00:00:01": { site: hq, model: SPIP650 }',
    );
  const r = loadApplianceText(yaml, 'appliance.yaml');
  assert.ok(!r.ok);
  assert.deepEqual(
    r.error
      .filter((i) => i.severity === 'error')
      .map((i) => `${i.line}:${i.col} ${i.code} ${i.message}`),
    [
      '12:17 CFG_BOOTROM_NEEDS_HTTP SPIP650 fetch their bootROM over plain HTTP when the boot server is https://: enable services.http',
    ],
  );
});

test('a release before SIP 3.3 without its own configFiles: a warning at the release', () => {
  const yaml = YAML.replace(
    '  ucs: { version: 5.9.7.4477, folder: ucs }\n',
    '  ucs: { version: 5.9.7.4477, folder: ucs }\n  old: { version: 3.2.3.1734, folder: sip-3.2.3, image: sip.ld }\n',
  );
  const r = loadApplianceText(yaml, 'appliance.yaml');
  assert.ok(r.ok);
  const w = r.value.warnings
    .filter((i) => i.code === 'CFG_LEGACY_CONFIG_FILES')
    .map((i) => `${i.line}:${i.col} ${i.path}`);
  assert.deepEqual(w, ['6:8 firmware.old']);
  const fixed = loadApplianceText(
    yaml.replace('image: sip.ld }', 'image: sip.ld, configFiles: [sip.cfg] }'),
    'appliance.yaml',
  );
  assert.ok(
    fixed.ok &&
      !fixed.value.warnings.some((i) => i.code === 'CFG_LEGACY_CONFIG_FILES'),
  );
});

test('time: option 42 naming the appliance with NTP off, and an authoritative site with no time server, are warnings', () => {
  const off = YAML.replace(
    'appliance:\n',
    'appliance:\n  services: { ntp: { enabled: false } }\n',
  );
  const codes = (y: string): string[] => {
    const r = loadApplianceText(y, 'appliance.yaml');
    assert.ok(r.ok);
    return r.value.warnings
      .filter((i) => i.code.includes('NTP'))
      .map((i) => `${i.line}:${i.col} ${i.code}`);
  };
  assert.deepEqual(codes(YAML), [], 'the appliance answers NTP by default');
  assert.deepEqual(codes(off), ['10:5 CFG_NO_NTP']);
  assert.deepEqual(
    codes(
      off.replace(
        '    pool: 10.20.0.100-10.20.0.199\n',
        '    pool: 10.20.0.100-10.20.0.199\n    ntp: [10.20.0.2]\n',
      ),
    ),
    ['12:10 CFG_NTP_DISABLED'],
  );
});
