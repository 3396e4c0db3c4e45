/**
 * The two stacks a storm runs against, each in a fresh lab, with the same phones:
 *   appliance: `appliance run` (DHCP + the protocol's service), optionally killed -9 mid-storm and restarted;
 *   classic:   `appliance render --out DIR` served by dnsmasq (DHCP, and TFTP) plus vsftpd (FTP) or nginx (HTTP).
 * Each returns the simulator's report, its wall time and CPU, and every server process's peak RSS and CPU.
 * Env: STORM_DIAG (diag.ts), STORM_PERF (a perf profile of the simulator per row).
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Lab } from '../../test/lib/netns.ts';
import { waitFor } from '../../test/lib/netns.ts';
import {
  APPLIANCE_MAIN,
  PHONESIM,
  type SimJson,
} from '../../test/lib/phonesim-lab.ts';
import { DIAG_DIR, snapshot, writeDiag } from './diag.ts';
import { checkFault } from './fault.ts';
import {
  childrenOf,
  cpuS,
  folder,
  hwmKb,
  lab,
  macOf,
  PERF_RECORD,
  PIN,
  type Protocol,
  pinned,
} from './lab.ts';

export interface StormSpec {
  readonly models: string[];
  readonly proto: Protocol;
  readonly scale: number;
  readonly rateBps: number;
  /** Servers on CPU 0, the simulator on CPU 1, receive paths steered likewise (lab.ts). */
  readonly pin: boolean;
  readonly vvxCurrent: boolean;
}

export interface StackResult {
  stack: string;
  proto: Protocol;
  sim: SimJson;
  simWallMs: number;
  simCpuS: number;
  peakRssKb: Record<string, number>;
  cpuS: Record<string, number>;
  fault?: Record<string, unknown>;
}

const MEMPROBE = new URL('./memprobe.ts', import.meta.url).pathname;
/** STORM_PERF=DIR: `perf record -F 499 -g` of the simulator for 10 s of each row, from 5 s after its start. */
const PERF_DIR = process.env.STORM_PERF ?? '';

function profile(pid: number, label: string): void {
  mkdirSync(PERF_DIR, { recursive: true });
  const out = join(
    PERF_DIR,
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
        '10',
      ],
      { stdio: 'ignore' },
    );
    p.on('error', () => {});
  }, 5000).unref();
}

function spawnWatched(
  l: Lab,
  spec: StormSpec,
  argv: string[],
  ready: string,
): Promise<{ child: ChildProcess; out: () => string }> {
  const child = l.spawn('app', pinned(spec.pin, PIN.server, argv), {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, LOG_LEVEL: process.env.STORM_LOG_LEVEL ?? 'info' },
  });
  let out = '';
  const keep = (d: Buffer): void => {
    out = (out + d.toString()).slice(-200_000);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  return waitFor(
    () =>
      (ready === '' ? true : out.includes(ready)) || child.exitCode !== null,
    20_000,
    ready || 'start',
  ).then(() => {
    if (child.exitCode !== null)
      throw new Error(`${argv[0]} exited: ${out.slice(-2000)}`);
    return { child, out: () => out };
  });
}

/**
 * Peak RSS (VmHWM; with its children, the process's plus each child's, an upper bound) and CPU seconds of a
 * server, sampled every 500 ms until stop(); rebase() before a kill -9 keeps the CPU used until then.
 */
function sampler(
  pid: () => number | undefined,
  withChildren = false,
): { stop(): { rssKb: number; cpuS: number }; rebase(): void } {
  let rss = 0;
  let cpu = 0;
  let before = 0; // CPU of a process killed mid-storm
  const kids = new Map<number, number>();
  const kidsRss = new Map<number, number>();
  const sample = (): void => {
    const p = pid();
    cpu = Math.max(cpu, cpuS(p));
    if (withChildren)
      for (const c of childrenOf(p)) {
        kids.set(c, Math.max(kids.get(c) ?? 0, cpuS(c)));
        kidsRss.set(c, Math.max(kidsRss.get(c) ?? 0, hwmKb(c)));
      }
    let total = hwmKb(p);
    for (const v of kidsRss.values()) total += v;
    rss = Math.max(rss, total);
  };
  const t = setInterval(sample, 500);
  return {
    rebase() {
      sample();
      before += cpu;
      cpu = 0;
    },
    stop() {
      sample();
      clearInterval(t);
      let k = 0;
      for (const v of kids.values()) k += v;
      return { rssKb: rss, cpuS: before + cpu + k };
    },
  };
}

/** What STORM_DIAG records of a row (diag.ts): its label, whether /metrics is there, the server's output. */
interface DiagRow {
  readonly label: string;
  readonly appliance: boolean;
  readonly serverOut: () => string;
}

async function runPhones(
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
  let simCpu = 0;
  const t = setInterval(() => {
    simCpu = Math.max(simCpu, cpuS(child.pid));
  }, 250);
  const done = new Promise<void>((r) => child.on('exit', () => r()));
  if (PERF_DIR) profile(child.pid!, diag.label);
  if (during) await during();
  await done;
  clearInterval(t);
  const wallMs = Math.round(performance.now() - t0);
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
  return { sim, wallMs, cpuS: simCpu };
}

const LABEL: Record<Protocol, { app: string; classic: string }> = {
  tftp: { app: 'appliance (TFTP)', classic: 'dnsmasq (DHCP+TFTP)' },
  ftp: { app: 'appliance (FTP)', classic: 'dnsmasq (DHCP) + vsftpd (FTP)' },
  http: { app: 'appliance (HTTP)', classic: 'dnsmasq (DHCP) + nginx (HTTP)' },
};

export async function applianceStack(
  spec: StormSpec,
  fault: boolean,
  killAtS = 10,
): Promise<StackResult> {
  const { dir, yamlPath } = await folder(spec.models, spec.proto, spec.scale);
  const l = await lab(spec.rateBps, spec.pin);
  try {
    // STORM_NODE_FLAGS: node flags for the appliance; STORM_MEMPROBE=FILE: memoryUsage() every 500 ms.
    const argv = [
      process.execPath,
      ...(process.env.STORM_NODE_FLAGS?.split(' ') ?? []),
      ...(process.env.STORM_MEMPROBE ? ['--import', MEMPROBE] : []),
      APPLIANCE_MAIN,
      ...['run', '--config', yamlPath],
    ];
    let app = await spawnWatched(l, spec, argv, 'appliance running');
    const s = sampler(() => app.child.pid);
    let faultInfo: Record<string, unknown> | undefined;
    const sim = await runPhones(
      l,
      dir,
      spec,
      [],
      {
        label: `${LABEL[spec.proto].app}${fault ? ' kill' : ''}`,
        appliance: !fault,
        serverOut: () => app.out(),
      },
      fault
        ? async () => {
            await new Promise((r) => setTimeout(r, killAtS * 1000));
            s.rebase();
            const t = performance.now();
            process.kill(app.child.pid!, 'SIGKILL');
            await new Promise((r) => app.child.once('exit', r));
            app = await spawnWatched(l, spec, argv, 'appliance running');
            faultInfo = {
              killedAtS: killAtS,
              restartMs: Math.round(performance.now() - t),
            };
          }
        : undefined,
    );
    const a = s.stop();
    if (fault)
      faultInfo = { ...faultInfo, ...(await checkFault(sim.sim, yamlPath)) };
    return {
      stack: fault
        ? `${LABEL[spec.proto].app}, kill -9 + restart`
        : LABEL[spec.proto].app,
      proto: spec.proto,
      sim: sim.sim,
      simWallMs: sim.wallMs,
      simCpuS: sim.cpuS,
      peakRssKb: { appliance: a.rssKb },
      cpuS: { appliance: a.cpuS },
      ...(faultInfo ? { fault: faultInfo } : {}),
    };
  } finally {
    await l.destroy();
    await rm(dir, { recursive: true, force: true });
  }
}

function vsftpdConf(root: string, n: number): string {
  return [
    ...['listen=YES', 'listen_address=10.91.8.1', 'background=NO'],
    ...['anonymous_enable=YES', `anon_root=${root}`, 'no_anon_password=YES'],
    ...['local_enable=NO', 'write_enable=NO', 'pasv_enable=YES'],
    ...['pasv_min_port=31000', 'pasv_max_port=32999'],
    ...[`max_clients=${n * 2}`, `max_per_ip=${n * 2}`, 'seccomp_sandbox=NO'],
    ...['secure_chroot_dir=/var/run/vsftpd/empty', 'xferlog_enable=NO'],
    ...['use_sendfile=YES', ''],
  ].join('\n');
}

/** nginx as a phone VLAN's file server is usually set up (Debian's worker_processes auto: 2 here), static files, sendfile, no access log. */
function nginxConf(root: string, dir: string): string {
  return `user root;
worker_processes auto;
pid ${dir}/nginx.pid;
error_log stderr warn;
events { worker_connections 4096; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  keepalive_timeout 65;
  client_body_temp_path ${dir}/nginx-body;
  server {
    listen 10.91.8.1:80;
    root ${root};
  }
}
`;
}

export async function classicStack(spec: StormSpec): Promise<StackResult> {
  const { dir, yamlPath } = await folder(spec.models, spec.proto, spec.scale);
  const out = join(dir, 'rendered');
  execFileSync(
    process.execPath,
    [APPLIANCE_MAIN, 'render', '--config', yamlPath, '--out', out],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
  const l = await lab(spec.rateBps, spec.pin);
  const n = spec.models.length;
  let files:
    | { child: ChildProcess; name: string; out: () => string }
    | undefined;
  try {
    const url = {
      tftp: 'tftp://10.91.8.1',
      ftp: 'ftp://anonymous:phone@10.91.8.1',
      http: 'http://10.91.8.1',
    }[spec.proto];
    const dns = await spawnWatched(
      l,
      spec,
      [
        'dnsmasq',
        ...['--no-daemon', '--port=0', '--interface=eth0', '--bind-interfaces'],
        ...['--no-ping', '-u', 'root'],
        '--dhcp-range=10.91.9.0,10.91.15.250,255.255.248.0,1h',
        `--dhcp-leasefile=${join(dir, 'dnsmasq.leases')}`,
        '--dhcp-lease-max=100000',
        `--dhcp-option=66,${url}`,
        `--dhcp-option=160,${url}`,
        ...['--quiet-dhcp', '--log-facility=-'],
        ...(spec.proto === 'tftp'
          ? [
              '--enable-tftp',
              `--tftp-root=${out}`,
              `--tftp-max=${Math.max(50, n)}`,
            ]
          : []),
      ],
      '',
    );
    if (spec.proto === 'ftp') {
      const conf = join(dir, 'vsftpd.conf');
      await writeFile(conf, vsftpdConf(out, n));
      files = {
        ...(await spawnWatched(l, spec, ['vsftpd', conf], '')),
        name: 'vsftpd',
      };
    } else if (spec.proto === 'http') {
      const conf = join(dir, 'nginx.conf');
      await writeFile(conf, nginxConf(out, dir));
      files = {
        ...(await spawnWatched(
          l,
          spec,
          ['nginx', '-c', conf, '-g', 'daemon off;'],
          '',
        )),
        name: 'nginx',
      };
    }
    await new Promise((r) => setTimeout(r, 500));
    const sd = sampler(() => dns.child.pid);
    // nginx: master + workers; vsftpd's figure is its listener only (it forks a process per session).
    const server = files;
    const sf = server
      ? sampler(() => server.child.pid, server.name === 'nginx')
      : undefined;
    const sim = await runPhones(
      l,
      dir,
      spec,
      spec.proto === 'tftp' ? [] : ['--server-type', spec.proto],
      {
        label: LABEL[spec.proto].classic,
        appliance: false,
        serverOut: () => `${dns.out()}\n${server?.out() ?? ''}`,
      },
    );
    const d = sd.stop();
    const f = sf?.stop();
    return {
      stack: LABEL[spec.proto].classic,
      proto: spec.proto,
      sim: sim.sim,
      simWallMs: sim.wallMs,
      simCpuS: sim.cpuS,
      peakRssKb: { dnsmasq: d.rssKb, ...(f ? { [files!.name]: f.rssKb } : {}) },
      cpuS: { dnsmasq: d.cpuS, ...(f ? { [files!.name]: f.cpuS } : {}) },
    };
  } finally {
    // The lab kills what it started; nginx's workers and vsftpd's sessions are their children: killed here by
    // PID, after their parent (an nginx master outliving its workers would start new ones).
    const kids = childrenOf(files?.child.pid);
    for (const c of [files?.child.pid, ...kids])
      try {
        if (c) process.kill(c, 'SIGKILL');
      } catch {
        /* gone */
      }
    await l.destroy();
    await rm(dir, { recursive: true, force: true });
  }
}
