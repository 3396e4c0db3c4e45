/**
 * The phones of a storm: one appliance-phonesim process for all of them in the lab's phones namespace, its
 * progress, CPU and report; a STORM_DIAG snapshot around it (diag.ts) and a STORM_PERF profile of it;
 * STORM_PERF_SERVER the same of the server process, every thread (the appliance, or dnsmasq).
 */
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Lab } from '../../test/lib/netns.ts';
import { PHONESIM, type SimJson } from '../../test/lib/phonesim-lab.ts';
import { DIAG_DIR, snapshot, writeDiag } from './diag.ts';
import { cpuS, cpuSplit, macOf, PERF_RECORD, PIN, pinned } from './lab.ts';
import type { StormSpec } from './stacks.ts';

/** STORM_PERF=DIR: `perf record -F 499 -g` of the simulator for 10 s of each row, from 5 s after its start. */
const PERF_DIR = process.env.STORM_PERF ?? '';
/** STORM_PERF_SERVER=DIR: the same record of the server process (all its threads), as `<row>-server.data`. */
const PERF_SERVER_DIR = process.env.STORM_PERF_SERVER ?? '';
/** STORM_PERF_SERVER_S: how long the server record runs, from the phones' start (default 10 s from 5 s). */
const PERF_SERVER_S = Number(process.env.STORM_PERF_SERVER_S ?? 0);

function profile(
  pid: number,
  label: string,
  dir = PERF_DIR,
  fromS = 5,
  seconds = 10,
): void {
  mkdirSync(dir, { recursive: true });
  const out = join(
    dir,
    `${label.replace(/[^a-z0-9]+/gi, '-').toLowerCase()}.data`,
  );
  setTimeout(() => {
    const p = spawn(
      PERF_RECORD[0]!,
      [
        ...PERF_RECORD.slice(1),
        '-p',
        String(pid),
        '-o',
        out,
        '--',
        'sleep',
        String(seconds),
      ],
      { stdio: 'ignore' },
    );
    p.on('error', () => {});
  }, fromS * 1000).unref();
}

/** What STORM_DIAG records of a row (diag.ts): its label, whether /metrics is there, the server's output. */
export interface DiagRow {
  readonly label: string;
  readonly appliance: boolean;
  readonly serverOut: () => string;
  /** The server process STORM_PERF_SERVER records (dnsmasq for the classic stack). */
  readonly serverPid?: () => number | undefined;
}

export async function runPhones(
  l: Lab,
  dir: string,
  spec: StormSpec,
  extra: string[],
  diag: DiagRow,
  during?: () => Promise<void>,
): Promise<{ sim: SimJson; wallMs: number; cpuS: number }> {
  const json = join(dir, `phonesim-${Date.now()}.json`);
  const n = spec.models.length;
  // STORM_SIM_NODE_FLAGS: node flags for the simulator; STORM_SIM_ARGS: extra simulator arguments.
  const args = pinned(spec.pin, PIN.sim, [
    process.execPath,
    ...(process.env.STORM_SIM_NODE_FLAGS?.split(' ').filter(Boolean) ?? []),
    PHONESIM,
    ...['--count', String(n), '--model', spec.models.join(',')],
    ...['--mac-base', macOf(0), '--assign-addresses', 'eth0'],
    ...['--uploads', 'best-effort', '--boots', '5', '--reboot-delay', '2000'],
    ...['--dhcp-timeout', '2000', '--dhcp-attempts', '6', '--timeout', '60000'],
    ...['--user-change', 'up.backlight.idleIntensity=1'],
    ...['--app-version', '3.3.0.0000', '--boot-version', '4.0.0.0000'],
    ...(spec.vvxCurrent ? ['--app-version', 'VVX410=5.9.7.4477'] : []),
    ...['--json', json],
    ...extra,
    ...(process.env.STORM_SIM_ARGS
      ? process.env.STORM_SIM_ARGS.split(' ')
      : []),
  ]);
  const before = DIAG_DIR ? await snapshot(l, diag.appliance) : undefined;
  const t0 = performance.now();
  const child = l.spawn('phones', args, {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let lastProgress = 0;
  child.stderr!.on('data', (d: Buffer) => {
    const s = d.toString().trim().split('\n').pop();
    if (
      s &&
      (performance.now() - lastProgress > 10_000 ||
        s.includes(`${n}/${n} done`))
    ) {
      lastProgress = performance.now();
      process.stderr.write(`${s}\n`);
    }
  });
  // The simulator's CPU (one process for all phones; `ip netns exec` execs it, so the PID is the simulator's).
  // User and system apart: system time includes kernel work (softirq) done while the simulator ran.
  let simCpu = { user: 0, sys: 0 };
  const t = setInterval(() => {
    const c = cpuSplit(child.pid);
    if (c.user + c.sys > simCpu.user + simCpu.sys) simCpu = c;
  }, 250);
  const done = new Promise<void>((r) => child.on('exit', () => r()));
  if (PERF_DIR) profile(child.pid!, diag.label);
  const serverPid = diag.serverPid?.();
  if (PERF_SERVER_DIR && serverPid)
    profile(
      serverPid,
      `${diag.label}-server`,
      PERF_SERVER_DIR,
      PERF_SERVER_S > 0 ? 0 : 5,
      PERF_SERVER_S > 0 ? PERF_SERVER_S : 10,
    );
  if (serverPid)
    process.stderr.write(
      `storm: ${diag.label} server CPU before the phones start: ${cpuS(serverPid).toFixed(2)} s\n`,
    );
  if (during) await during();
  await done;
  clearInterval(t);
  const wallMs = Math.round(performance.now() - t0);
  process.stderr.write(
    `storm: ${diag.label} phonesim CPU user ${simCpu.user.toFixed(2)} s, system ${simCpu.sys.toFixed(2)} s\n`,
  );
  const sim = JSON.parse(await readFile(json, 'utf8')) as SimJson;
  if (before)
    await writeDiag(
      diag.label,
      before,
      await snapshot(l, diag.appliance),
      json,
      sim.aggregate as unknown as Record<string, unknown>,
      diag.serverOut(),
    );
  return { sim, wallMs, cpuS: simCpu.user + simCpu.sys };
}
