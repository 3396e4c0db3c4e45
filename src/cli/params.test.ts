/**
 * The catalog commands as a user runs them, on a tftpboot holding our test XSD (policy/parameters/testdata):
 * params search, schema --release for editor completion, validate --strict, render hiding resolved secrets.
 */

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import {
  copyFile,
  mkdir,
  mkdtemp,
  readFile,
  rm,
  writeFile,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const bin = fileURLToPath(new URL('../../bin/appliance.js', import.meta.url));
const XSD = fileURLToPath(
  new URL('../policy/parameters/testdata/polycomConfig.xsd', import.meta.url),
);
const SECRET = 'Sup3r-Secret-Phone-Pw';
let dir = '';
let config = '';

const appliance = async (
  ...args: string[]
): Promise<{ code: number; stdout: string; stderr: string }> => {
  try {
    const r = await promisify(execFile)(process.execPath, [bin, ...args], {
      env: { ...process.env, PHONE_PW: SECRET },
      maxBuffer: 64 << 20,
    });
    return { code: 0, ...r };
  } catch (e) {
    const x = e as { code: number; stdout: string; stderr: string };
    return { code: x.code, stdout: x.stdout, stderr: x.stderr };
  }
};

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'params-cli-'));
  await mkdir(join(dir, 'tftpboot', 'ucs', 'Config'), { recursive: true });
  await copyFile(
    XSD,
    join(dir, 'tftpboot', 'ucs', 'Config', 'polycomConfig.xsd'),
  );
  config = join(dir, 'appliance.yaml');
  await writeFile(
    config,
    `appliance: { address: 10.20.0.2, interface: eth1, tftpboot: ./tftpboot, dataDir: ./data }
firmware: { ucs: { version: 4.0.15.1009, folder: ucs } }
defaults: { firmware: ucs }
sites:
  hq: { subnet: 10.20.0.0/24, pool: 10.20.0.100-10.20.0.199, bootServer: { protocol: http } }
phones:
  "00:04:f2:80:62:d6": { site: hq, model: VVX410, parameters: { reg.1.auth.password: "\${env:PHONE_PW}", reg.1.displayNam: Desk } }
`,
  );
});
after(() => rm(dir, { recursive: true, force: true }));

test('params: names and descriptions searched, families printed once with their range', async () => {
  const r = await appliance('params', '--config', config, 'server.1.transport');
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(
    r.stdout
      .trimEnd()
      .split('\n')
      .map((l) => l.split(/\s{2,}/).slice(0, 3)),
    [
      ['name', 'type', 'default'],
      [
        'reg.N.server.N.transport (N 1..3, 1..2)',
        'one of "UDPOnly" "TCPpreferred" "DNSnaptr" "TCPOnly" "TLS"',
        '"DNSnaptr"',
      ],
    ],
  );
  const byDoc = await appliance(
    'params',
    '--config',
    config,
    '--model',
    'VVX410',
    'max 9999',
  );
  assert.match(
    byDoc.stdout,
    /^dir\.local\.contacts\.maxNum\s+integer 1\.\.9999\s+"9999"/m,
  );
  const none = await appliance('params', '--config', config, 'no-such-thing');
  assert.equal(none.code, 1);
});

test('schema --release: the parameters maps list the known names with types, enums and descriptions', async () => {
  const r = await appliance('schema', '--config', config, '--release', 'ucs');
  assert.equal(r.code, 0, r.stderr);
  const s = JSON.parse(r.stdout);
  const params = s.$defs.parameters;
  assert.equal(Object.keys(params.properties).length, 40);
  assert.deepEqual(params.properties['reg.2.server.1.transport'].enum, [
    'UDPOnly',
    'TCPpreferred',
    'DNSnaptr',
    'TCPOnly',
    'TLS',
  ]);
  assert.deepEqual(params.properties['tcpIpApp.sntp.gmtOffset'], {
    type: ['integer', 'string'],
    pattern: '^[+-]?\\d+$',
    minimum: -43200,
    maximum: 46800,
    description: 'number min -43200 max 46800 default 0.',
  });
  assert.equal(
    s.properties.phones.additionalProperties.properties.parameters.$ref,
    '#/$defs/parameters',
  );
  assert.equal(s.properties.parameters.$ref, '#/$defs/parameters');
  const plain = await appliance(
    'schema',
    '--config',
    join(dir, 'missing.yaml'),
  );
  assert.equal(
    JSON.parse(plain.stdout).$defs,
    undefined,
    'no XSD reachable: the plain schema',
  );
});

test('validate --strict turns the unknown name into an error; the plain run only warns', async () => {
  const plain = await appliance('validate', config);
  assert.equal(plain.code, 0, plain.stderr);
  assert.match(
    plain.stderr,
    /appliance\.yaml:7:105 warning: .*reg\.1\.displayNam: not a parameter of firmware "ucs" \(did you mean reg\.1\.displayName\?\)/,
  );
  const strict = await appliance('validate', '--strict', config);
  assert.equal(strict.code, 1);
  assert.match(
    strict.stderr,
    /appliance\.yaml:7:105 phones\..*reg\.1\.displayNam: not a parameter/,
  );
});

test('render hides a resolved secret unless --show-secrets', async () => {
  const hidden = await appliance(
    'render',
    '--config',
    config,
    '00:04:f2:80:62:d6',
  );
  assert.equal(hidden.code, 0, hidden.stderr);
  assert.ok(!hidden.stdout.includes(SECRET));
  assert.match(hidden.stdout, /reg\.1\.auth\.password="\*{21}"/);
  const shown = await appliance(
    'render',
    '--config',
    config,
    '--show-secrets',
    '00:04:f2:80:62:d6',
  );
  assert.match(
    shown.stdout,
    new RegExp(`reg\\.1\\.auth\\.password="${SECRET}"`),
  );
  const out = join(dir, 'out');
  assert.equal(
    (await appliance('render', '--config', config, '--out', out)).code,
    0,
  );
  assert.ok(
    !(
      await readFile(join(out, 'hq', '0004f28062d6-appliance.cfg'), 'utf8')
    ).includes(SECRET),
  );
});
