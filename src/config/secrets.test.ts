/** ${env:NAME} and ${file:PATH} in appliance.yaml: resolved before the schema, refused at line:col when missing. */

import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { tempDir } from '../../test/lib/temp-dir.ts';
import { loadConfigText } from './load.ts';
import { redact, resolveSecrets } from './secrets.ts';

const dir = tempDir('secrets-');
writeFileSync(join(dir, 'admin_token'), 'T0ken-from-a-file-0123456789\n');
const FILE = join(dir, 'appliance.yaml');

const yaml = (
  token: string,
  password: string,
  account = '"${env:ACCT_PW}"',
): string => `appliance:
  address: 10.20.0.2
  interface: eth1
  services: { admin: { token: ${token} } }
sites:
  hq:
    subnet: 10.20.0.0/24
    pool: 10.20.0.100-10.20.0.199
    bootServer: { protocol: http }
    accounts: [{ user: hq, password: ${account} }]
phones:
  "00:04:f2:80:62:d6":
    site: hq
    parameters:
      reg.1.auth.password: ${password}
`;

test("an env and a file secret are resolved (a file's last newline dropped), and nothing is advised", () => {
  process.env.PHONE_PW = 'Env&Secret<1>';
  process.env.ACCT_PW = 'acct-pw-42';
  const r = loadConfigText(
    yaml('"${file:admin_token}"', '"${env:PHONE_PW}"'),
    FILE,
  );
  assert.ok(r.ok, JSON.stringify(!r.ok && r.error));
  assert.equal(
    r.value.model.services.admin.token,
    'T0ken-from-a-file-0123456789',
  );
  assert.equal(
    [...r.value.model.phones.values()][0]!.parameters['reg.1.auth.password'],
    'Env&Secret<1>',
  );
  assert.equal(
    r.value.model.sites.get('hq')!.accounts[0]!.password,
    'acct-pw-42',
  );
  assert.deepEqual([...r.value.secrets].sort(), [
    'Env&Secret<1>',
    'T0ken-from-a-file-0123456789',
    'acct-pw-42',
  ]);
  assert.deepEqual(r.value.advice(), []);
});

test("a missing env variable or secret file is refused at the value's line:col", () => {
  delete process.env.NO_SUCH_SECRET;
  const r = loadConfigText(
    yaml('"${file:/run/secrets/no-such-file}"', '"${env:NO_SUCH_SECRET}"'),
    FILE,
  );
  assert.ok(!r.ok);
  assert.deepEqual(
    r.error.map((i) => `${i.line}:${i.col} ${i.code} ${i.path}: ${i.message}`),
    [
      '4:31 CFG_SECRET appliance.services.admin.token: ${file:/run/secrets/no-such-file}: cannot read the secret file (ENOENT)',
      '15:28 CFG_SECRET phones.00:04:f2:80:62:d6.parameters.reg.1.auth.password: ${env:NO_SUCH_SECRET}: the environment variable NO_SUCH_SECRET is not set',
    ],
  );
});

test('literal passwords and tokens are advised, once per kind, at the first place', () => {
  const r = loadConfigText(
    yaml('abcdefghijklmnop0123', 'hunter2', 'plain'),
    FILE,
  );
  assert.ok(r.ok);
  assert.deepEqual(
    r.value
      .advice()
      .map((i) => `${i.line}:${i.col} ${i.code} ${i.message.split(':')[0]}`),
    [
      '4:31 CFG_SECRET_LITERAL the admin token is written in the file',
      '10:38 CFG_SECRET_LITERAL an account password is written in the file',
      '15:28 CFG_SECRET_LITERAL reg.N.auth.password is written in the file',
    ],
  );
  assert.deepEqual(
    r.value.warnings.filter((w) => w.code === 'CFG_SECRET_LITERAL'),
    [],
    'advice, not a warning of the running appliance',
  );
});

test('a reference inside a longer string; redact hides the value as written, XML-escaped and URL-encoded', () => {
  const data = {
    a: { url: 'sip:${env:PHONE_PW}@pbx', list: ['${env:PHONE_PW}'] },
  };
  process.env.PHONE_PW = 'Env&Secret<1>';
  const r = resolveSecrets(data, dir);
  assert.deepEqual(data, {
    a: { url: 'sip:Env&Secret<1>@pbx', list: ['Env&Secret<1>'] },
  });
  assert.deepEqual([...r.fromSecrets], ['a.url', 'a.list.0']);
  const out = redact(
    'x Env&Secret<1> y Env&amp;Secret&lt;1&gt; z Env%26Secret%3C1%3E',
    r.values,
  ).toString();
  assert.equal(
    out,
    `x ${'*'.repeat(13)} y ${'*'.repeat(23)} z ${'*'.repeat(19)}`,
  );
});
