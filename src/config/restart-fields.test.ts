import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadConfigFile } from './load.ts';
import type { ApplianceModel } from './model.ts';
import { RESTART_ONLY, restartOnlyChanges } from './restart-fields.ts';

const model = (ftpPort: number, token: string) =>
  ({
    address: '10.0.0.1',
    services: { ftp: { port: ftpPort }, admin: { token } },
  }) as unknown as ApplianceModel;

test('restart-only settings that changed are named by their leaf path', () => {
  assert.deepEqual(restartOnlyChanges(model(21, 'a'), model(21, 'a')), []);
  assert.deepEqual(restartOnlyChanges(model(21, 'a'), model(2121, 'b')), [
    'appliance.services.ftp.port',
    'appliance.services.admin.token',
  ]);
});

test('every restart-only path names a setting of the committed appliance.yaml', async () => {
  const r = await loadConfigFile('appliance.yaml');
  assert.ok(r.ok);
  for (const p of RESTART_ONLY) {
    const parent = p.split('.').slice(0, -1);
    const leaf = p.split('.').at(-1)!;
    const obj = parent.reduce<unknown>(
      (v, k) => (v as Record<string, unknown>)[k],
      r.value.model,
    ) as object;
    assert.ok(obj && leaf in obj, `appliance.${p}`);
  }
});
