/** Helpers for DHCP integration tests: run the launcher in a lab host, read its stats, write client scripts. */

import type { ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { dhcpLab, type FixtureOptions } from './dhcp-fixture.ts';
import { labYaml } from './lab-yaml.ts';
import { canRunLab, type Lab, missingCommands, waitFor } from './netns.ts';
import { tempDir } from './temp-dir.ts';

export const LAUNCHER = new URL('./dhcp-launcher.ts', import.meta.url).pathname;

/** Skip reason when the lab cannot run here; in CI (process.env.CI) a missing peer is a failure, not a skip. */
export async function labSkip(cmds: string[]): Promise<string | false> {
  if (!canRunLab()) {
    if (process.env.CI)
      throw new Error('DHCP integration tests need root (CI runs as root)');
    return 'needs root for network namespaces';
  }
  const missing = await missingCommands(cmds);
  if (missing.length === 0) return false;
  if (process.env.CI)
    throw new Error(
      `missing peers in CI: ${missing.join(', ')} (see .ci/apt-packages.txt)`,
    );
  return `missing ${missing.join(', ')}`;
}

export interface RunningServer {
  readonly child: ChildProcess;
  readonly dir: string;
  readonly dataDir: string;
  output(): string;
  stats(): Promise<Record<string, unknown>>;
}

/** Start the launcher in `host`; `yamlFor(dataDir)` replaces the lab fixture (e.g. benchYaml). */
export async function startServer(
  lab: Lab,
  host: string,
  fixture: FixtureOptions = {},
  dir = tempDir('dhcp-it-'),
  yamlFor?: (dataDir: string) => string,
): Promise<RunningServer> {
  const dataDir = join(dir, 'data');
  const yaml = join(dir, 'appliance.yaml');
  writeFileSync(
    yaml,
    yamlFor ? yamlFor(dataDir) : labYaml(dhcpLab({ dataDir, ...fixture })),
  );
  const child = lab.spawn(host, [process.execPath, LAUNCHER, yaml, dataDir], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, LOG_LEVEL: process.env.DHCP_TEST_LOG ?? 'warn' },
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => {
    out += d.toString();
  });
  child.stderr!.on('data', (d: Buffer) => {
    out += d.toString();
  });
  await waitFor(
    () => out.includes('READY') || child.exitCode !== null,
    15_000,
    'dhcp launcher READY',
  );
  if (!out.includes('READY')) throw new Error(`launcher failed: ${out}`);
  return {
    child,
    dir,
    dataDir,
    output: () => out,
    async stats() {
      const before = out.length;
      child.kill('SIGUSR2');
      const line = await waitFor(
        () =>
          out
            .slice(before)
            .split('\n')
            .find((l) => l.startsWith('STATS ')),
        5000,
        'stats',
      );
      return JSON.parse(line.slice(6)) as Record<string, unknown>;
    },
  };
}

/** A udhcpc/dhclient hook script that writes the environment of a bound lease to `out` and touches nothing. */
export function envScript(
  dir: string,
  name: string,
  boundReasons: string[],
): { script: string; out: string } {
  const out = join(dir, `${name}.env`);
  const script = join(dir, `${name}.sh`);
  const cond = boundReasons
    .map((r) => `[ "$1" = "${r}" ] || [ "$reason" = "${r}" ]`)
    .join(' || ');
  writeFileSync(
    script,
    `#!/bin/sh\nif ${cond}; then env | sort > ${out}.tmp && mv ${out}.tmp ${out}; fi\nexit 0\n`,
  );
  chmodSync(script, 0o755);
  return { script, out };
}

export function readEnv(path: string): Record<string, string> | undefined {
  if (!existsSync(path)) return undefined;
  const env: Record<string, string> = {};
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    const i = line.indexOf('=');
    if (i > 0) env[line.slice(0, i)] = line.slice(i + 1);
  }
  return env;
}

/**
 * udhcpc as the tests and benchmarks run it: in the foreground, one lease (or none) and out (-f -q -n),
 * `tries` DISCOVERs `timeout` seconds apart, the given event script, an option-60 string and option-55 codes.
 */
export function udhcpc(o: {
  script: string;
  iface?: string;
  tries?: number;
  timeout?: number;
  vendorClass?: string;
  ask?: readonly number[];
}): string[] {
  return [
    'udhcpc',
    '-i',
    o.iface ?? 'eth0',
    '-f',
    '-q',
    '-n',
    '-t',
    String(o.tries ?? 5),
    '-T',
    String(o.timeout ?? 1),
    '-s',
    o.script,
    ...(o.vendorClass === undefined ? [] : ['-V', o.vendorClass]),
    ...(o.ask ?? []).flatMap((c) => ['-O', String(c)]),
  ];
}
