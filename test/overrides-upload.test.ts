/**
 * Overrides made visible (issue 13) with real uploads in network namespaces (prefix "ovr", subnet 10.91.24):
 * phone "cli" (.2, PHONE_MAC by its stubbed lease) uploads <MAC>-phone.cfg over FTP (curl) and <MAC>-web.cfg
 * over HTTP (curl PUT); `appliance overrides` shows what they set against appliance.yaml; `--clear` keeps a
 * generation and the phone's next fetch of its -phone.cfg finds none.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { fileServicesSuite } from './lib/file-services-suite.ts';
import { REPO } from './lib/phonesim-lab.ts';
import {
  hqUpload,
  labApplianceYaml,
  labSkip,
  PHONE_MAC,
} from './lib/service-lab.ts';

const run = promisify(execFile);
const SUBNET = '10.91.24';
const SRV = `${SUBNET}.1`;
const skip = await labSkip('ovr', ['curl']);
const YAML = labApplianceYaml({
  subnet: SUBNET,
  overrideCap: 64 * 1024,
  bootServer: '{ protocol: ftp, path: hq }',
  services:
    '    ftp: { enabled: true, port: 21, pasvMin: 40600, pasvMax: 40620 }\n    http: { enabled: true, port: 80 }\n',
  sites: `phones:\n  "${PHONE_MAC}": { site: hq, model: VVX410, parameters: { reg.1.displayName: "Front desk" } }\n`,
});

const suite = fileServicesSuite({
  skip,
  prefix: 'ovr',
  subnet: SUBNET,
  dir: { tmpPrefix: 'ovr-it-', yaml: YAML, imageSize: 1024, seed: 0x53 },
  also: ['http'],
});

const curl = (args: string[]) =>
  suite
    .lab()
    .lab.exec(
      'cli',
      ['curl', '-s', '-S', '-f', '--ftp-pasv', '--max-time', '20', ...args],
      { allowFail: true, timeoutMs: 30_000 },
    );
const cli = async (...args: string[]): Promise<string> =>
  (
    await run(process.execPath, [
      join(REPO, 'bin/appliance.js'),
      ...args,
      '--config',
      suite.app().yaml,
    ])
  ).stdout;

test('uploaded overrides over FTP and HTTP are listed against appliance.yaml; --clear keeps a generation and the next fetch gets none', {
  skip,
}, async () => {
  const phone = join(suite.app().dir, 'phone.cfg');
  const web = join(suite.app().dir, 'web.cfg');
  await writeFile(
    phone,
    '<PHONE_CONFIG><OVERRIDES reg.1.displayName="Changed on the phone"/></PHONE_CONFIG>\n',
  );
  await writeFile(
    web,
    '<PHONE_CONFIG><OVERRIDES up.backlight.idleIntensity="2"/></PHONE_CONFIG>\n',
  );
  assert.equal(
    (
      await curl([
        '-T',
        phone,
        `ftp://PlcmSpIp:PlcmSpIp@${SRV}/hq/${PHONE_MAC}-phone.cfg`,
      ])
    ).code,
    0,
  );
  assert.equal(
    (await curl(['-T', web, `http://${SRV}/hq/${PHONE_MAC}-web.cfg`])).code,
    0,
  );

  const listed = await cli('overrides', PHONE_MAC);
  const line = listed.split('\n').find((l) => l.includes('reg.1.displayName'));
  assert.ok(
    line?.includes('Changed on the phone') && line.includes('Front desk'),
    `the conflict is shown:\n${listed}`,
  );
  assert.match(listed, /up\.backlight\.idleIntensity/);

  await cli('overrides', '--clear', PHONE_MAC);
  const history = hqUpload(suite.app().dir, 'overrides', '.history');
  assert.ok(
    (await readdir(history)).some((f) =>
      f.startsWith(`${PHONE_MAC}-phone.cfg`),
    ),
    'the retired file is a generation',
  );
  assert.equal(
    existsSync(
      hqUpload(suite.app().dir, 'overrides', `${PHONE_MAC}-phone.cfg`),
    ),
    false,
  );
  const fetched = await curl([
    '-o',
    '/dev/null',
    `ftp://PlcmSpIp:PlcmSpIp@${SRV}/hq/${PHONE_MAC}-phone.cfg`,
  ]);
  assert.notEqual(fetched.code, 0, 'the next fetch finds no -phone.cfg');
});
