import assert from 'node:assert/strict';
import { rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { labYaml } from '../../test/lib/lab-yaml.ts';
import { waitFor } from '../../test/lib/netns.ts';
import { createTreeLab } from '../../test/lib/tree-fixture.ts';
import { loadAppliance } from '../policy/load.ts';
import { liveConfig } from './live-config.ts';

test('a reload that changes a restart-only setting says so', async () => {
  const lab = await createTreeLab(labYaml());
  const live = liveConfig(lab.yamlPath, lab.model, { watch: false });
  try {
    await writeFile(
      lab.yamlPath,
      labYaml().replace('interface: eth0', 'interface: eth9'),
    );
    const r = await live.reload();
    assert.equal(r.ok, true);
    assert.deepEqual(
      r.issues
        .filter((i) => i.code === 'CFG_RESTART_NEEDED')
        .map((i) => i.path),
      ['appliance.interface'],
    );
    assert.equal(live.model.current().interface, 'eth9');
  } finally {
    live.close();
    await lab.cleanup();
  }
});

test('a valid edit is swapped in with its tree; an invalid one is refused and the last good keeps serving', async () => {
  const lab = await createTreeLab(labYaml());
  const live = liveConfig(lab.yamlPath, lab.model, { debounceMs: 20 });
  try {
    const before = live.tree.current();
    // An editor's save: write a temp file and rename it over the original.
    const tmp = join(lab.dir, '.appliance.yaml.swp');
    await writeFile(tmp, labYaml().replace('pbx.lab', 'pbx2.lab'));
    await rename(tmp, lab.yamlPath);
    await waitFor(() => live.state().reloads === 1, 5000, 'reload');
    assert.notEqual(live.tree.current(), before);
    const site = await live.tree.current().read('hq/site.cfg');
    assert.ok(site.ok && site.value.toString().includes('pbx2.lab'));

    await writeFile(
      lab.yamlPath,
      labYaml().replace('subnet: 10.90.0.0/24', 'subnet: 10.90.0.0/33'),
    );
    await waitFor(() => live.state().failures === 1, 5000, 'refusal');
    const st = live.state();
    assert.equal(st.lastError?.issues[0]?.code, 'CFG_SUBNET');
    assert.ok(st.lastError!.issues[0]!.line > 0);
    const still = await live.tree.current().read('hq/site.cfg');
    assert.ok(
      still.ok && still.value.toString().includes('pbx2.lab'),
      'last good tree still serves',
    );
    assert.equal(live.model.current().sites.get('hq')!.subnet.prefix, 24);
  } finally {
    live.close();
    await lab.cleanup();
  }
});

test('the config state carries the warnings of the configuration in use, replaced by a reload', async () => {
  const lab = await createTreeLab(labYaml());
  const first = await loadAppliance(lab.yamlPath);
  assert.ok(first.ok);
  const live = liveConfig(lab.yamlPath, first.value.model, {
    watch: false,
    warnings: first.value.warnings,
  });
  try {
    assert.deepEqual(live.state().warnings, first.value.warnings);
    assert.ok(!live.state().warnings.some((w) => w.code === 'CFG_PHONE_SITE'));
    await writeFile(
      lab.yamlPath,
      `${labYaml()}  "00:04:f2:00:00:77": { model: VVX410 }\n`,
    );
    assert.ok((await live.reload()).ok);
    assert.ok(
      live.state().warnings.some((w) => w.code === 'CFG_PHONE_SITE'),
      "the new file's warning is in the state",
    );
  } finally {
    live.close();
    await lab.cleanup();
  }
});

test('the same refusal twice (an editor saving once fires the watcher twice) counts once; a new one counts', async () => {
  const lab = await createTreeLab(labYaml());
  const live = liveConfig(lab.yamlPath, lab.model, { watch: false });
  try {
    const broken = (subnet: string) =>
      writeFile(
        lab.yamlPath,
        labYaml().replace('subnet: 10.90.0.0/24', `subnet: ${subnet}`),
      );
    await broken('10.90.0.0/33');
    assert.equal((await live.reload()).ok, false);
    assert.equal((await live.reload()).ok, false);
    assert.equal(live.state().failures, 1);
    await broken('10.90.0.0/40');
    assert.equal((await live.reload()).ok, false);
    assert.equal(live.state().failures, 2);
  } finally {
    live.close();
    await lab.cleanup();
  }
});
