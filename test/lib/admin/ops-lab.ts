/**
 * The operations lab of test/admin-lab.test.ts: DHCP + TFTP + HTTP + the admin server (lab-appliance.ts) in
 * namespace "app", appliance-phonesim and curl in "phones". Lab 10.91.10.0/24, prefix "ops". `startOpsLab`
 * brings the appliance up; `bootPhones` runs the simulator and returns its per-phone report (a phone that
 * fails unexpectedly fails the test); `adminGet` and `scrape` read the admin API and /metrics.
 */
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createLab, type Lab } from '../netns.ts';
import {
  applianceFolder,
  PHONESIM,
  REPO,
  type SimJson,
} from '../phonesim-lab.ts';
import { parseProm, type Sample } from './prom-parse.ts';
import { startLabAppliance } from './start-lab-appliance.ts';

export const TOKEN = 'ops-lab-token-0123456789abcdef';
export const BEARER = `Bearer ${TOKEN}`;
export const ADMIN = 'http://10.91.10.1:8080';
/** The `appliance` command, as an engineer runs it. */
export const CLI = join(REPO, 'bin/appliance.js');
export const RENDER = join(REPO, 'test/lib/admin/render-page.ts');

export interface OpsLab {
  readonly lab: Lab;
  /** The appliance folder (a temporary directory): appliance.yaml, tftpboot/, data/; artifacts go here too. */
  readonly dir: string;
  readonly yamlPath: string;
  readonly app: ChildProcess;
  destroy(): Promise<void>;
}

/** The appliance of `yaml` (admin on 8080 with TOKEN, address 10.91.10.1) over a tftpboot with the lab's images. */
export async function startOpsLab(yaml: string): Promise<OpsLab> {
  const { dir, yamlPath } = await applianceFolder(
    yaml,
    [
      { folder: 'sp-4.0.11', name: '2345-12600-001.sip.ld', size: 200_000 },
      { folder: 'sp-4.0.11', name: '2345-12600-001.bootrom.ld', size: 80_000 },
      { folder: 'sp-4.0.11', name: '3111-15600-001.sip.ld', size: 200_000 },
      // No SoundStation bootROM image: those phones get TREE_NOT_FOUND, an error the page must show.
      { folder: 'ucs-5.9.7', name: '3111-46162-001.sip.ld', size: 300_000 },
    ],
    { 'ucs-5.9.7/sip.ver': '5.9.7.4477' },
  );
  const lab = await createLab({
    prefix: 'ops',
    hosts: ['app', 'phones'],
    subnet: '10.91.10',
  });
  try {
    await lab.exec('phones', ['ip', 'route', 'add', 'default', 'dev', 'eth0']);
    const { app } = await startLabAppliance(lab, 'app', yamlPath, [
      '--sip-t1',
      '20',
    ]);
    return { lab, dir, yamlPath, app, destroy: () => lab.destroy() };
  } catch (e) {
    await lab.destroy();
    throw e;
  }
}

/**
 * Boot phones with appliance-phonesim in "phones". `expectFailed` lists the MACs that must fail (MAC → the
 * step they fail at; none by default); every other phone must be provisioned, and the exit code must agree.
 */
export async function bootPhones(
  ops: OpsLab,
  args: readonly string[],
  expectFailed: Readonly<Record<string, string>> = {},
  timeoutMs = 60_000,
): Promise<SimJson> {
  const json = join(ops.dir, `phonesim-${Date.now()}.json`);
  const r = await ops.lab.exec(
    'phones',
    [
      process.execPath,
      PHONESIM,
      '--quiet',
      '--json',
      json,
      '--assign-addresses',
      'eth0',
      ...args,
    ],
    { allowFail: true, timeoutMs },
  );
  const report = JSON.parse(
    await readFile(json, 'utf8').catch(() => {
      throw new Error(
        `phonesim wrote no report (exit ${r.code}): ${r.stderr.slice(-2000)}`,
      );
    }),
  ) as SimJson;
  const failed = Object.fromEntries(
    report.phones.filter((p) => !p.ok).map((p) => [p.mac, p.failedStep ?? '?']),
  );
  assert.deepEqual(
    failed,
    expectFailed,
    `phonesim outcome: ${JSON.stringify(report.phones.filter((p) => !p.ok).map((p) => [p.mac, p.error]))}`,
  );
  assert.equal(
    r.code,
    Object.keys(expectFailed).length === 0 ? 0 : 1,
    `phonesim exit code: ${r.stderr.slice(-2000)}`,
  );
  return report;
}

/** GET on the admin server from the phones' namespace: status, headers and body. */
export async function adminGet(
  lab: Lab,
  path: string,
  auth?: string,
): Promise<{ status: number; body: string; headers: string }> {
  const args = [
    'curl',
    '-s',
    '-i',
    '-w',
    '\n%{http_code}',
    ...(auth ? ['-H', `Authorization: ${auth}`] : []),
    `${ADMIN}${path}`,
  ];
  const r = await lab.exec('phones', args);
  const status = Number(r.stdout.slice(r.stdout.lastIndexOf('\n') + 1));
  const rest = r.stdout.slice(0, r.stdout.lastIndexOf('\n'));
  const split = rest.indexOf('\r\n\r\n');
  return { status, headers: rest.slice(0, split), body: rest.slice(split + 4) };
}

export const adminJson = async <T>(lab: Lab, path: string): Promise<T> =>
  JSON.parse((await adminGet(lab, path, BEARER)).body) as T;

/** /metrics, parsed strictly. */
export async function scrape(lab: Lab): Promise<Sample[]> {
  const r = await adminGet(lab, '/metrics', BEARER);
  assert.equal(r.status, 200);
  assert.match(r.headers, /content-type: text\/plain; version=0\.0\.4/i);
  const p = parseProm(r.body);
  assert.ok(p.ok, p.ok ? '' : p.error);
  return p.value;
}
