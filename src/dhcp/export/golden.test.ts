/**
 * Golden exports of the export fixture (test/fixtures/export/appliance.yaml, loaded as /fixture/appliance.yaml
 * so paths are the same on every checkout): Kea, Kea with --ha, dnsmasq, and their findings. A missing golden
 * file fails; write them with UPDATE_GOLDEN=1 after reading the diff.
 */

import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadApplianceText } from '../../policy/load.ts';
import { exportDnsmasq } from './dnsmasq.ts';
import { exportKea } from './kea.ts';
import { DEBIAN_HOOKS_DIR } from './kea-ha.ts';
import { type ExportResult, exitStatus, formatFindings } from './report.ts';

const FIXTURE = new URL(
  '../../../test/fixtures/export/appliance.yaml',
  import.meta.url,
);
const loaded = loadApplianceText(
  readFileSync(FIXTURE, 'utf8'),
  '/fixture/appliance.yaml',
);
if (!loaded.ok)
  throw new Error(
    `export fixture does not load: ${JSON.stringify(loaded.error)}`,
  );
const model = loaded.value.model;

function golden(name: string, text: string): void {
  const file = join(import.meta.dirname, 'testdata', name);
  if (process.env.UPDATE_GOLDEN === '1') writeFileSync(file, text);
  assert.ok(
    existsSync(file),
    `${file} is missing: run with UPDATE_GOLDEN=1 and review it`,
  );
  assert.equal(
    text,
    readFileSync(file, 'utf8'),
    `${name} differs from its golden file`,
  );
}

const cases: Record<string, () => ExportResult> = {
  'fixture.kea.json': () => exportKea(model),
  'fixture-ha-standby.kea.json': () =>
    exportKea(model, {
      ha: {
        primaryUrl: 'http://10.93.1.1:8001/',
        standbyUrl: 'http://10.93.1.2:8001/',
        thisServer: 'standby',
        maxResponseDelay: 60_000,
        hooksDir: DEBIAN_HOOKS_DIR,
      },
    }),
  'fixture.dnsmasq.conf': () => exportDnsmasq(model),
};

for (const [name, run] of Object.entries(cases)) {
  test(`golden export: ${name}`, () => {
    const r = run();
    golden(name, r.text);
    golden(`${name}.findings.txt`, formatFindings(r));
    assert.equal(
      exitStatus(r),
      0,
      'the fixture is fully expressible: only differences are listed',
    );
  });
}
