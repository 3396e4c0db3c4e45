/**
 * Starts lab-appliance.ts (DHCP, the file services and the admin server from one appliance.yaml) in a lab host
 * and waits for its "admin ready PORT" line; a harness that exits first fails with what it printed.
 */
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { type Lab, waitFor } from '../netns.ts';
import { REPO } from '../phonesim-lab.ts';

export const LAB_APPLIANCE = join(REPO, 'test/lib/admin/lab-appliance.ts');

export interface LabAppliance {
  readonly app: ChildProcess;
  /** Everything it printed so far, stdout and stderr interleaved. */
  output(): string;
}

export async function startLabAppliance(
  lab: Lab,
  host: string,
  yamlPath: string,
  args: readonly string[] = [],
): Promise<LabAppliance> {
  const app = lab.spawn(
    host,
    [process.execPath, LAB_APPLIANCE, yamlPath, ...args],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  const keep = (d: Buffer): void => {
    out += d;
  };
  app.stdout!.on('data', keep);
  app.stderr!.on('data', keep);
  await waitFor(
    () => out.includes('admin ready') || app.exitCode !== null,
    20_000,
    'admin server',
  );
  assert.match(out, /admin ready \d+/, out);
  return { app, output: () => out };
}
