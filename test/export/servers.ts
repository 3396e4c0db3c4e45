/**
 * The three DHCP servers of the export tests, each started in a lab host from one appliance.yaml: the appliance
 * (test/lib/dhcp-launcher.ts), kea-dhcp4 and dnsmasq running what `appliance export` wrote for them. The export
 * runs the real command (src/cli/export.ts) and every exported file passes kea-dhcp4 -t / dnsmasq --test.
 * Stopped by PID, and waited for, so the next server can bind the same port.
 */

import { type ChildProcess, execFile } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { startServer } from '../lib/dhcp-lab.ts';
import { type Lab, waitFor } from '../lib/netns.ts';

const execFileP = promisify(execFile);
export const REPO = resolve(import.meta.dirname, '../..');
export const FIXTURE = join(REPO, 'test/fixtures/export/appliance.yaml');
const EXPORT_CLI = join(REPO, 'src/cli/export.ts');

export type ServerKind = 'appliance' | 'kea' | 'dnsmasq';

export interface Running {
  readonly kind: ServerKind;
  readonly child: ChildProcess;
  output(): string;
  stop(): Promise<void>;
}

/** The fixture with its dataDir in `dir` (what every server of one run reads). */
export function writeFixture(dir: string, source = FIXTURE): string {
  const dataDir = join(dir, 'data');
  mkdirSync(dataDir, { recursive: true });
  const yaml = join(dir, 'appliance.yaml');
  writeFileSync(
    yaml,
    readFileSync(source, 'utf8').replace(
      'dataDir: ./data',
      `dataDir: ${dataDir}`,
    ),
  );
  return yaml;
}

export interface Exported {
  readonly file: string;
  readonly code: number;
  readonly stderr: string;
}

/** `node src/cli/export.ts <target> --config yaml --out file …`: the exit status and the findings it printed. */
export async function runExport(
  target: 'kea' | 'dnsmasq',
  yaml: string,
  out: string,
  extra: string[] = [],
): Promise<Exported> {
  try {
    const r = await execFileP(process.execPath, [
      EXPORT_CLI,
      target,
      '--config',
      yaml,
      '--out',
      out,
      ...extra,
    ]);
    return { file: out, code: 0, stderr: r.stderr };
  } catch (e) {
    const x = e as { code?: number; stderr?: string };
    return { file: out, code: x.code ?? -1, stderr: x.stderr ?? String(e) };
  }
}

/** kea-dhcp4 -t / dnsmasq --test on an exported file: rejects with the tool's output when it refuses it. */
export async function checkExported(
  target: 'kea' | 'dnsmasq',
  file: string,
): Promise<void> {
  const argv =
    target === 'kea'
      ? (['kea-dhcp4', ['-t', file]] as const)
      : (['dnsmasq', ['--test', `--conf-file=${file}`]] as const);
  await execFileP(argv[0], [...argv[1]], {
    env: { ...process.env, KEA_PIDFILE_DIR: '/tmp', KEA_LOCKFILE_DIR: '/tmp' },
  });
}

function track(
  lab: Lab,
  host: string,
  argv: string[],
  env: Record<string, string> = {},
): { child: ChildProcess; output: () => string } {
  const child = lab.spawn(host, argv, {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => {
    out += d.toString();
  });
  child.stderr!.on('data', (d: Buffer) => {
    out += d.toString();
  });
  return { child, output: () => out };
}

export async function stopChild(child: ChildProcess): Promise<void> {
  if (child.pid && child.exitCode === null && child.signalCode === null) {
    try {
      process.kill(child.pid, 'SIGTERM');
    } catch {
      /* gone */
    }
    await waitFor(
      () => child.exitCode !== null || child.signalCode !== null,
      5000,
      'server stopped',
    ).catch(() => {
      try {
        process.kill(child.pid!, 'SIGKILL');
      } catch {
        /* gone */
      }
    });
    await waitFor(
      () => child.exitCode !== null || child.signalCode !== null,
      5000,
      'server killed',
    );
  }
}

/** Kea from an exported file, ready once it says DHCP4_STARTED (its pid and lock files in `dir`). */
export async function startKea(
  lab: Lab,
  host: string,
  file: string,
  dir: string,
): Promise<Running> {
  const t = track(lab, host, ['kea-dhcp4', '-c', file], {
    KEA_PIDFILE_DIR: dir,
    KEA_LOCKFILE_DIR: dir,
  });
  await waitFor(
    () => t.output().includes('DHCP4_STARTED') || t.child.exitCode !== null,
    15_000,
    'kea-dhcp4 started',
  );
  if (!t.output().includes('DHCP4_STARTED'))
    throw new Error(`kea-dhcp4 did not start:\n${t.output()}`);
  return {
    kind: 'kea',
    child: t.child,
    output: t.output,
    stop: () => stopChild(t.child),
  };
}

export async function startDnsmasq(
  lab: Lab,
  host: string,
  file: string,
  dir: string,
): Promise<Running> {
  const t = track(lab, host, [
    'dnsmasq',
    '--no-daemon',
    `--conf-file=${file}`,
    `--pid-file=${join(dir, 'dnsmasq.pid')}`,
    '--log-dhcp',
  ]);
  await waitFor(
    () => t.output().includes('DHCP, IP range') || t.child.exitCode !== null,
    15_000,
    'dnsmasq started',
  );
  if (t.child.exitCode !== null)
    throw new Error(`dnsmasq did not start:\n${t.output()}`);
  return {
    kind: 'dnsmasq',
    child: t.child,
    output: t.output,
    stop: () => stopChild(t.child),
  };
}

export async function startAppliance(
  lab: Lab,
  host: string,
  yaml: string,
  dir: string,
): Promise<Running> {
  const text = readFileSync(yaml, 'utf8');
  const srv = await startServer(lab, host, {}, dir, () => text);
  return {
    kind: 'appliance',
    child: srv.child,
    output: srv.output,
    stop: () => stopChild(srv.child),
  };
}

/** Export (checking the file is accepted) and start `kind` in `host`; the run's files go to `dir`. */
export async function startKind(
  lab: Lab,
  host: string,
  kind: ServerKind,
  yaml: string,
  dir: string,
): Promise<Running> {
  mkdirSync(dir, { recursive: true });
  if (kind === 'appliance') return startAppliance(lab, host, yaml, dir);
  const out = join(dir, kind === 'kea' ? 'kea-dhcp4.json' : 'dnsmasq.conf');
  const lease = join(
    dir,
    kind === 'kea' ? 'kea-leases4.csv' : 'dnsmasq.leases',
  );
  const r = await runExport(kind, yaml, out, ['--lease-file', lease]);
  if (r.code !== 0)
    throw new Error(`appliance export ${kind} exited ${r.code}:\n${r.stderr}`);
  await checkExported(kind, out);
  return kind === 'kea'
    ? startKea(lab, host, out, dir)
    : startDnsmasq(lab, host, out, dir);
}
