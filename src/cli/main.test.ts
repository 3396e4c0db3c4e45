/** The appliance command, run as a user would: exit codes, messages, render --out. */

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { labYaml } from '../../test/lib/lab-yaml.ts';
import { createTreeLab } from '../../test/lib/tree-fixture.ts';

const run = promisify(execFile);
const bin = fileURLToPath(new URL('../../bin/appliance.js', import.meta.url));
const appliance = async (
  ...args: string[]
): Promise<{ code: number; stdout: string; stderr: string }> => {
  try {
    const r = await run(process.execPath, [bin, ...args]);
    return { code: 0, ...r };
  } catch (e) {
    const x = e as { code: number; stdout: string; stderr: string };
    return { code: x.code, stdout: x.stdout, stderr: x.stderr };
  }
};

test('validate: ok with warnings on the committed file; non-zero with file:line:col on a bad one', async () => {
  const good = await appliance(
    'validate',
    fileURLToPath(new URL('../../appliance.yaml', import.meta.url)),
  );
  assert.equal(good.code, 0, good.stderr);
  assert.match(good.stdout, /ok \(2 sites, 2 phones/);
  assert.match(
    good.stderr,
    /appliance\.yaml:\d+:\d+ warning: sites\.hq\.bootServer: boot server uses the factory default/,
  );
  const lab = await createTreeLab(labYaml());
  try {
    const bad = join(lab.dir, 'bad.yaml');
    await writeFile(
      bad,
      labYaml().replace(
        'pool: 10.90.0.100-10.90.0.199',
        'pool: 10.91.0.100-10.91.0.199',
      ),
    );
    const r = await appliance('validate', bad);
    assert.equal(r.code, 1);
    assert.match(
      r.stderr,
      /bad\.yaml:9:11 sites\.hq\.pool: range "10\.91\.0\.100-10\.91\.0\.199" is outside the subnet 10\.90\.0\.0\/24/,
    );
  } finally {
    await lab.cleanup();
  }
});

test('render: one path, one phone, and --out materialises the tree with tftpboot under each site', async () => {
  const lab = await createTreeLab(labYaml(), {
    'ucs/3111-46162-001.sip.ld': 'image',
  });
  try {
    const one = await appliance(
      'render',
      '--config',
      lab.yamlPath,
      '--site',
      'hq',
      'site.cfg',
    );
    assert.equal(one.code, 0, one.stderr);
    assert.match(one.stdout, /reg\.1\.server\.1\.address="pbx\.lab"/);
    const phone = await appliance(
      'render',
      '--config',
      lab.yamlPath,
      '00:04:f2:80:62:d6',
    );
    assert.match(
      phone.stdout,
      /==> hq\/000000000000\.cfg <==[\s\S]*==> hq\/0004f28062d6-appliance\.cfg <==[\s\S]*reg\.1\.address="1000"[\s\S]*==> hq\/common\.cfg <==/,
    );
    const out = join(lab.dir, 'out');
    const r = await appliance('render', '--config', lab.yamlPath, '--out', out);
    assert.equal(r.code, 0, r.stderr);
    assert.match(
      await readFile(join(out, 'hq', '000000000000.cfg'), 'utf8'),
      /APP_FILE_PATH="ucs\/sip\.ld"/,
    );
    assert.equal(
      await readFile(join(out, 'hq', 'ucs', '3111-46162-001.sip.ld'), 'utf8'),
      'image',
    );
    assert.ok((await stat(join(out, '000000000000.cfg'))).isFile());
    const missing = await appliance(
      'render',
      '--config',
      lab.yamlPath,
      'hq/nothing.cfg',
    );
    assert.equal(missing.code, 1);
  } finally {
    await lab.cleanup();
  }
});

test('schema: the committed appliance.schema.json is what the schema generates', async () => {
  const r = await appliance('schema');
  assert.equal(r.code, 0);
  assert.equal(
    r.stdout,
    await readFile(
      fileURLToPath(new URL('../../appliance.schema.json', import.meta.url)),
      'utf8',
    ),
  );
});
