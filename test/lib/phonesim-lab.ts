/**
 * Shared setup of the end-to-end tests and the boot-storm bench: an appliance folder (appliance.yaml plus a
 * tftpboot/ with deterministic dummy images), the real `appliance run` in one namespace, the phone simulator
 * in another. Lab subnet 10.91.8.0/24, prefix "sim" (the bench uses "simb").
 */

import type { ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { canRunLab, createLab, type Lab, waitFor } from './netns.ts';
import { tempDir } from './temp-dir.ts';

export const REPO = resolve(new URL('../..', import.meta.url).pathname);
export const APPLIANCE_MAIN = join(REPO, 'src/cli/main.ts');
export const PHONESIM = join(REPO, 'bin/phonesim.js');

/** Why the lab cannot run here; in CI (root) it always runs. */
export function simSkip(): string | false {
  if (canRunLab()) return false;
  if (process.env.CI)
    throw new Error(
      'end-to-end tests need root for network namespaces (CI runs as root)',
    );
  return 'needs root for network namespaces';
}

/** Deterministic bytes of a dummy image: a label header, then a SHA-256 counter stream. */
export function dummyImage(label: string, size: number): Buffer {
  const out = Buffer.alloc(size);
  const head = Buffer.from(`${label}\n`);
  head.copy(out, 0, 0, Math.min(size, head.length));
  let block = createHash('sha256').update(label).digest();
  for (let off = head.length; off < size; off += 32) {
    block = createHash('sha256').update(block).digest();
    block.copy(out, off, 0, Math.min(32, size - off));
  }
  return out;
}

export interface ImageSpec {
  readonly folder: string;
  readonly name: string;
  readonly size: number;
}

export async function applianceFolder(
  yaml: string,
  images: readonly ImageSpec[],
  verFiles: Readonly<Record<string, string>> = {},
): Promise<{ dir: string; yamlPath: string }> {
  const dir = tempDir('phonesim-');
  for (const img of images) {
    await mkdir(join(dir, 'tftpboot', img.folder), { recursive: true });
    await writeFile(
      join(dir, 'tftpboot', img.folder, img.name),
      dummyImage(`${img.folder}/${img.name}`, img.size),
    );
  }
  for (const [rel, text] of Object.entries(verFiles))
    await writeFile(join(dir, 'tftpboot', rel), `${text}\n`);
  await mkdir(join(dir, 'data'), { recursive: true });
  const yamlPath = join(dir, 'appliance.yaml');
  await writeFile(yamlPath, yaml);
  return { dir, yamlPath };
}

export interface SimLab {
  readonly lab: Lab;
  readonly appliance: ChildProcess;
  output(): string;
  /** Run the simulator in the phones' namespace; returns its parsed JSON report. */
  phonesim(
    args: string[],
    timeoutMs?: number,
  ): Promise<{ code: number; stderr: string; stdout: string; report: SimJson }>;
}

export interface SimJson {
  aggregate: {
    phones: number;
    provisioned: number;
    failed: number;
    failedBySteps: Record<string, number>;
    wallMs: number;
    p50Ms: number;
    p99Ms: number;
    retries: number;
  };
  phones: {
    mac: string;
    model: string;
    ok: boolean;
    failedStep?: string;
    error?: { code: string; message: string };
    address?: string;
    vlan?: number;
    bootServer?: string;
    appVersion: string;
    upgraded: { app: boolean; bootrom: boolean };
    steps: { step: string; status: string; bytes: number; detail?: string }[];
    parameters: Record<string, string>;
  }[];
}

export async function startSimLab(opts: {
  prefix: string;
  subnet: string;
  yamlPath: string;
  dir: string;
  env?: NodeJS.ProcessEnv;
  extraHosts?: string[];
}): Promise<SimLab> {
  const lab = await createLab({
    prefix: opts.prefix,
    hosts: ['app', 'phones', ...(opts.extraHosts ?? [])],
    subnet: opts.subnet,
  });
  try {
    // Phones broadcast DHCP to 255.255.255.255: give their namespace a route out of eth0.
    await lab.exec('phones', ['ip', 'route', 'add', 'default', 'dev', 'eth0']);
    const appliance = lab.spawn(
      'app',
      [process.execPath, APPLIANCE_MAIN, 'run', '--config', opts.yamlPath],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, LOG_LEVEL: 'info', ...opts.env },
      },
    );
    let out = '';
    appliance.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.length > 4_000_000) out = out.slice(-2_000_000);
    });
    appliance.stderr!.on('data', (d: Buffer) => {
      out += d.toString();
    });
    await waitFor(
      () => out.includes('appliance running') || appliance.exitCode !== null,
      20_000,
      'appliance running',
    );
    if (!out.includes('appliance running'))
      throw new Error(`appliance did not start:\n${out.slice(-3000)}`);
    return {
      lab,
      appliance,
      output: () => out,
      async phonesim(args, timeoutMs = 60_000) {
        const json = join(opts.dir, `phonesim-${Date.now()}.json`);
        const r = await lab.exec(
          'phones',
          [process.execPath, PHONESIM, '--quiet', '--json', json, ...args],
          { timeoutMs, allowFail: true },
        );
        let report: SimJson;
        try {
          report = JSON.parse(await readFile(json, 'utf8')) as SimJson;
        } catch {
          throw new Error(
            `phonesim wrote no report (exit ${r.code}): ${r.stderr.slice(-3000)}`,
          );
        }
        return { ...r, report };
      },
    };
  } catch (e) {
    await lab.destroy();
    throw e;
  }
}

export { waitFor };
