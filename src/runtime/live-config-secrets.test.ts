/** Hot reload resolves ${env:…}/${file:…} too: a missing secret is refused at line:col and the last good config serves on. */

import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { labYaml } from '../../test/lib/lab-yaml.ts';
import { createTreeLab } from '../../test/lib/tree-fixture.ts';
import { liveConfig } from './live-config.ts';

const phones = (password: string): Record<string, string> => ({
  '00:04:f2:80:62:d6': `{ site: hq, model: VVX410, parameters: { reg.1.address: "1000", reg.1.auth.password: "${password}" } }`,
});

test('reload: a file secret changes with the file; a missing env secret is refused and the last good config keeps serving', async () => {
  const lab = await createTreeLab(labYaml({ phones: phones('literal-first') }));
  const live = liveConfig(lab.yamlPath, lab.model, { watch: false });
  const phoneCfg = async (): Promise<string> => {
    const r = await live.tree.current().read('hq/0004f28062d6-appliance.cfg');
    assert.ok(r.ok, 'the phone file renders');
    return r.value.toString();
  };
  try {
    await writeFile(join(lab.dir, 'phone_pw'), 'From-A-File-77\n');
    await writeFile(
      lab.yamlPath,
      labYaml({ phones: phones('${file:phone_pw}') }),
    );
    const good = await live.reload();
    assert.equal(good.ok, true, JSON.stringify(good.issues));
    assert.match(await phoneCfg(), /reg\.1\.auth\.password="From-A-File-77"/);

    delete process.env.RELOAD_MISSING_PW;
    await writeFile(
      lab.yamlPath,
      labYaml({ phones: phones('${env:RELOAD_MISSING_PW}') }),
    );
    const bad = await live.reload();
    assert.equal(bad.ok, false);
    assert.deepEqual(
      bad.issues.map((i) => `${i.code} ${i.line}:${i.col}`),
      [`CFG_SECRET ${bad.issues[0]!.line}:${bad.issues[0]!.col}`],
    );
    assert.ok(
      bad.issues[0]!.line > 1 && bad.issues[0]!.col > 1,
      'located at the value',
    );
    assert.match(bad.issues[0]!.message, /RELOAD_MISSING_PW is not set/);
    assert.equal(live.state().failures, 1);
    assert.match(
      await phoneCfg(),
      /reg\.1\.auth\.password="From-A-File-77"/,
      'the last good config keeps serving',
    );
  } finally {
    live.close();
    await lab.cleanup();
  }
});
