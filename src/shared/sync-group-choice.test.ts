/**
 * The process's sync group is chosen once; every call returns the same group and the reason it fell back
 * to an fsync per file (the start-up log reads it after the tree has made the first call).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { test } from 'node:test';

const choose = (env: Record<string, string>): string[] =>
  execFileSync(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      `import { sharedSyncGroup } from ${JSON.stringify(new URL('./sync-group.ts', import.meta.url).href)};
       const a = sharedSyncGroup(), b = sharedSyncGroup();
       console.log(JSON.stringify([a.group.kind, a.why ?? '', b.why ?? '', a.group === b.group]));`,
    ],
    { env: { ...process.env, ...env }, encoding: 'utf8' },
  )
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l))[0];

test('APPLIANCE_UPLOAD_SYNC=fsync: fsync per file, and every call says why', () => {
  assert.deepEqual(choose({ APPLIANCE_UPLOAD_SYNC: 'fsync' }), [
    'fsync',
    'APPLIANCE_UPLOAD_SYNC=fsync',
    'APPLIANCE_UPLOAD_SYNC=fsync',
    true,
  ]);
});

test('default on this kernel with the addon: syncfs rounds, no reason, one group', () => {
  assert.deepEqual(choose({ APPLIANCE_UPLOAD_SYNC: '' }), [
    'syncfs',
    '',
    '',
    true,
  ]);
});
