/**
 * The appliance as users start it, for the file-service benchmarks: `bin/appliance.js run --config FILE` in a
 * lab host, so it re-executes itself with its own V8 flags and MALLOC_ARENA_MAX (src/cli/node-flags.ts) and
 * runs every service the file enables. Its figures: VmHWM / VmRSS of that process (the same PID after the
 * re-execution, whose memory counters start afresh) and the transfers it logged. startAppliance starts it
 * twice: the first start (stopped once it runs) fills Node's compile cache, so the measured one is an
 * ordinary start from the second on, without Node's TypeScript stripper loaded (src/cli/node-flags.ts).
 */
import type { ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Lab } from '../../test/lib/netns.ts';

export const REPO = resolve(import.meta.dirname, '../..');

export interface RunningAppliance {
  readonly child: ChildProcess;
  /** Transfer log lines so far (one per download or upload, whatever the result), and those with result ok. */
  transfers(): { all: number; ok: number };
  /** A field of /proc/PID/status in KiB (VmHWM, VmRSS …); 0 once the process is gone. */
  status(key: string): Promise<number>;
  /** The node flags the re-executed process says it added (APPLIANCE_NODE_FLAGS), from /proc/PID/cmdline. */
  cmdline(): Promise<string>;
  /** SIGTERM, then wait for the exit (SIGKILL after 10 s). */
  stop(): Promise<void>;
}

export async function startAppliance(
  lab: Lab,
  host: string,
  yamlPath: string,
): Promise<RunningAppliance> {
  await (await startOnce(lab, host, yamlPath)).stop();
  return startOnce(lab, host, yamlPath);
}

async function startOnce(
  lab: Lab,
  host: string,
  yamlPath: string,
): Promise<RunningAppliance> {
  const argv = [join(REPO, 'bin/appliance.js'), 'run', '--config', yamlPath];
  const child = lab.spawn(host, [process.execPath, ...argv], {
    cwd: REPO,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, LOG_LEVEL: 'info' },
  });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const seen = { tail: '', partial: '', all: 0, ok: 0 };
  let running: () => void = () => undefined;
  const ready = new Promise<void>((r) => {
    running = r;
  });
  // stdout carries the JSON log lines (one "transfer" line per transfer); both streams feed the tail
  const reader =
    (logLines: boolean) =>
    (d: Buffer): void => {
      const text = d.toString();
      seen.tail = (seen.tail + text).slice(-20_000);
      if (seen.tail.includes('appliance running')) running();
      if (!logLines) return;
      const lines = (seen.partial + text).split('\n');
      seen.partial = lines.pop() ?? '';
      for (const l of lines.filter((x) => x.includes('"msg":"transfer"'))) {
        seen.all++;
        if (l.includes('"result":"ok"')) seen.ok++;
      }
    };
  child.stdout!.on('data', reader(true));
  child.stderr!.on('data', reader(false));
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  await Promise.race([ready, exited]);
  clearTimeout(timer);
  if (child.exitCode !== null || child.signalCode !== null)
    throw new Error(`appliance did not start: ${seen.tail.slice(-3000)}`);
  const pid = child.pid!;
  const proc = (file: string): Promise<string> =>
    readFile(`/proc/${pid}/${file}`, 'utf8').catch(() => '');
  return {
    child,
    transfers: () => ({ all: seen.all, ok: seen.ok }),
    status: async (key) =>
      Number(
        new RegExp(`${key}:\\s+(\\d+)`).exec(await proc('status'))?.[1] ?? 0,
      ),
    cmdline: async () =>
      (await proc('cmdline')).split('\0').filter(Boolean).join(' '),
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const kill = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(kill);
    },
  };
}

/**
 * CPU seconds (user + system, every thread) a process has used; with `children`, also those of its children
 * it has reaped (vsftpd's per-session processes). 0 once it is gone.
 */
export async function cpuSeconds(
  pid: number,
  children = false,
): Promise<number> {
  const t = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
  const f = t.slice(t.lastIndexOf(') ') + 2).split(' ');
  if (f.length < 15) return 0;
  const ticks =
    Number(f[11]) +
    Number(f[12]) +
    (children ? Number(f[13]) + Number(f[14]) : 0);
  return ticks / 100;
}
