/** `appliance overrides`: a phone's uploaded -phone.cfg against appliance.yaml; --clear keeps it as a generation. */

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import {
  mkdir,
  mkdtemp,
  readFile,
  rm,
  stat,
  writeFile,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { overrideParameters } from '../policy/parameters/overrides.ts';

const bin = fileURLToPath(new URL('../../bin/appliance.js', import.meta.url));
let dir = '';
let config = '';
let overrides = '';
const phoneCfg = (
  name: string,
): string => `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<!-- Application SIP 4.0.15 -->
<PHONE_CONFIG>
  <OVERRIDES reg.1.displayName="${name}" up.backlight.idleIntensity="1" tcpIpApp.sntp.gmtOffset="-21600" reg.1.auth.password="typed-on-phone"/>
</PHONE_CONFIG>
`;

const appliance = async (
  ...args: string[]
): Promise<{ code: number; stdout: string; stderr: string }> => {
  try {
    return {
      code: 0,
      ...(await promisify(execFile)(process.execPath, [bin, ...args])),
    };
  } catch (e) {
    const x = e as { code: number; stdout: string; stderr: string };
    return { code: x.code, stdout: x.stdout, stderr: x.stderr };
  }
};

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'overrides-cli-'));
  config = join(dir, 'appliance.yaml');
  await writeFile(
    config,
    `appliance: { address: 10.20.0.2, interface: eth1, tftpboot: ./tftpboot, dataDir: ./data }
parameters: { tcpIpApp.sntp.gmtOffset: -21600 }
sites:
  hq: { subnet: 10.20.0.0/24, pool: 10.20.0.100-10.20.0.199, bootServer: { protocol: http }, parameters: { reg.1.displayName: "Site default" } }
phones:
  "00:04:f2:80:62:d6": { site: hq, label: Reception, parameters: { reg.1.displayName: Reception, reg.1.auth.password: from-yaml } }
`,
  );
  overrides = join(dir, 'data', 'uploads', 'hq', 'overrides');
  await mkdir(overrides, { recursive: true });
  await writeFile(
    join(overrides, '0004f28062d6-phone.cfg'),
    phoneCfg('Bob at the desk'),
  );
});
after(() => rm(dir, { recursive: true, force: true }));

test("an override file's parameters: every dotted attribute", () => {
  assert.deepEqual(
    [...overrideParameters(phoneCfg('x')).keys()],
    [
      'reg.1.displayName',
      'up.backlight.idleIntensity',
      'tcpIpApp.sntp.gmtOffset',
      'reg.1.auth.password',
    ],
  );
});

test('overrides: what the phone sets, against what appliance.yaml gives it (phone entry first, then site, common)', async () => {
  const r = await appliance('overrides', '--config', config);
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.trimEnd().split('\n');
  assert.equal(
    lines[0],
    '0004f28062d6 (Reception): hq/overrides/0004f28062d6-phone.cfg, 4 parameters, 2 differing from appliance.yaml',
  );
  assert.deepEqual(
    lines.slice(2).map((l) => l.split(/\s{2,}/)),
    [
      [
        'reg.1.auth.password',
        '********',
        '********',
        'phone',
        'differs: the phone wins',
      ],
      [
        'reg.1.displayName',
        '"Bob at the desk"',
        '"Reception"',
        'phone',
        'differs: the phone wins',
      ],
      ['tcpIpApp.sntp.gmtOffset', '"-21600"', '"-21600"', 'common', 'same'],
      ['up.backlight.idleIntensity', '"1"', '-', '-', 'phone only'],
    ],
  );
  assert.ok(
    !r.stdout.includes('typed-on-phone') && !r.stdout.includes('from-yaml'),
  );
  assert.equal(
    (await appliance('overrides', '--config', config, '00:04:f2:00:00:99'))
      .code,
    1,
  );
});

test('--clear retires the file as generation 1; a second clear moves it to 2', async () => {
  const clear = (mac: string) =>
    appliance('overrides', '--config', config, '--clear', mac);
  const retired = (generation: number) =>
    readFile(
      join(overrides, '.history', `0004f28062d6-phone.cfg.${generation}`),
      'utf8',
    );
  const first = await clear('0004F28062D6');
  assert.equal(first.code, 0, first.stderr);
  assert.equal(
    first.stdout,
    'retired hq/overrides/0004f28062d6-phone.cfg (now hq/overrides/.history/0004f28062d6-phone.cfg.1)\n',
  );
  await assert.rejects(stat(join(overrides, '0004f28062d6-phone.cfg')));
  assert.match(await retired(1), /Bob at the desk/);
  await writeFile(
    join(overrides, '0004f28062d6-phone.cfg'),
    phoneCfg('Second upload'),
  );
  assert.equal((await clear('0004f28062d6')).code, 0);
  assert.match(await retired(1), /Second upload/);
  assert.match(await retired(2), /Bob at the desk/);
  assert.equal((await clear('0004f28062d6')).code, 1, 'nothing left to clear');
});
