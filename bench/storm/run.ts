/**
 * Boot storm: N simulated phones power on at once (a PoE switch power-cycled, seed 002) against
 *   (a) the appliance (`appliance run`: DHCP + TFTP or FTP), and
 *   (b) the classic stack serving the very same files (`appliance render --out DIR`): dnsmasq for DHCP and
 *       TFTP, vsftpd for FTP,
 * with the same script, the same phones, the same dummy images of realistic size per family (seed 004's table:
 * SoundPoint IP 650 3,851 KB, SoundStation 4,087 KB, VVX 410 50,159 KB; bootROM ~1,100 KB, unconfirmed).
 * Optional fault run (--fault): kill -9 the appliance mid-storm and restart it; every phone must still end
 * provisioned, no address may be held by two phones, and every upload the server acknowledged must be intact.
 *
 *   node bench/storm/run.ts [--phones 1000] [--protocol tftp|ftp] [--stacks appliance,classic] [--fault]
 *                           [--kill-at SECONDS] [--mix SPIP650=45,SSIP6000=10,VVX410=45] [--scale 1]
 *                           [--vvx-current] [--json FILE]
 * --vvx-current: VVX phones already run the served UCS (they read sip.ver and skip the 49 MB image);
 * SoundPoint / SoundStation phones upgrade bootROM and application. Without it every phone upgrades.
 *
 * Lab: namespaces "simb…" (hub, app, phones), 10.91.8.0/21 inside them only (a /24 cannot hold 1,000 leases).
 * Needs root, dnsmasq, vsftpd.
 */

import { type ChildProcess, execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { findModel } from '../../phonesim/src/identity.ts';
import { loadConfigFile } from '../../src/config/load.ts';
import { createTree } from '../../src/tree/tree.ts';
import { createLab, type Lab, waitFor } from '../../test/lib/netns.ts';
import {
  APPLIANCE_MAIN,
  dummyImage,
  PHONESIM,
  type SimJson,
} from '../../test/lib/phonesim-lab.ts';

const MEMPROBE = new URL('./memprobe.ts', import.meta.url).pathname;

const { values: a } = parseArgs({
  options: {
    phones: { type: 'string', default: '1000' },
    protocol: { type: 'string', default: 'tftp' },
    stacks: { type: 'string', default: 'appliance,classic' },
    fault: { type: 'boolean', default: false },
    mix: { type: 'string', default: 'SPIP650=45,SSIP6000=10,VVX410=45' },
    scale: { type: 'string', default: '1' },
    json: { type: 'string' },
    'kill-at': { type: 'string' },
    'vvx-current': { type: 'boolean', default: false },
  },
});
const N = Number(a.phones);
const PROTO = a.protocol as 'tftp' | 'ftp';
const SCALE = Number(a.scale);
const KB = 1024;
const SIZES: Record<string, { app: number; bootrom?: number }> = {
  SPIP650: { app: 3851 * KB, bootrom: 1100 * KB },
  SSIP6000: { app: 4087 * KB, bootrom: 1100 * KB },
  VVX410: { app: 50159 * KB },
};

/** The model of phone i, following the mix's proportions in a fixed interleaving. */
function modelList(): string[] {
  const parts = a.mix!.split(',').map((p) => {
    const [m, w] = p.split('=');
    return { m: m!, w: Number(w) };
  });
  const total = parts.reduce((s, p) => s + p.w, 0);
  const out: string[] = [];
  const acc = parts.map(() => 0);
  for (let i = 0; i < N; i++) {
    // Largest-remainder interleave: pick the model furthest behind its share.
    let best = 0;
    for (let k = 0; k < parts.length; k++) {
      acc[k]! += parts[k]!.w / total;
      if (acc[k]! > acc[best]!) best = k;
    }
    acc[best]! -= 1;
    out.push(parts[best]!.m);
  }
  return out;
}

const macOf = (i: number): string =>
  `0004f2b${(i + 1).toString(16).padStart(5, '0')}`;

function yaml(models: string[]): string {
  const phones = models.map(
    (m, i) =>
      `  "${macOf(i)}": { site: lab, model: ${m}, parameters: { reg.1.address: "${2000 + i}", reg.1.auth.password: "pw${i}" } }`,
  );
  return `appliance:
  address: 10.91.8.1
  interface: eth0
  tftpboot: ./tftpboot
  dataDir: ./data
  services:
    admin: { enabled: false }
    http: { enabled: false }
    tftp: { maxTransfers: ${Math.max(500, N)} }
    ftp: { pasvMin: 31000, pasvMax: 32999 }
firmware:
  sp-4.0.11: { version: 4.0.11.0593, folder: sp-4.0.11 }
  ucs-5.9.7: { version: 5.9.7.4477, folder: ucs-5.9.7 }
defaults: { firmware: ucs-5.9.7 }
models:
  SPIP650: { firmware: sp-4.0.11 }
  SSIP6000: { firmware: sp-4.0.11 }
parameters: { device.set: 1, tcpIpApp.sntp.address: 10.91.8.1 }
sites:
  lab:
    subnet: 10.91.8.0/21
    pool: 10.91.9.0-10.91.15.250
    leaseTime: 3600
    bootServer: { protocol: ${PROTO}, path: "" }
    parameters: { voIpProt.server.1.address: pbx.lab.example }
phones:
${phones.join('\n')}
`;
}

async function folder(
  models: string[],
): Promise<{ dir: string; yamlPath: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'storm-'));
  const put = async (rel: string, data: Buffer | string): Promise<void> => {
    await mkdir(join(dir, 'tftpboot', rel, '..'), { recursive: true });
    await writeFile(join(dir, 'tftpboot', rel), data);
  };
  for (const m of new Set(models)) {
    const info = findModel(m);
    if (!info.ok) throw new Error(info.error.message);
    const f = info.value.hasBootrom ? 'sp-4.0.11' : 'ucs-5.9.7';
    await put(
      `${f}/${info.value.partNumber}.sip.ld`,
      dummyImage(`${f}/${m}`, Math.round(SIZES[m]!.app * SCALE)),
    );
    if (SIZES[m]!.bootrom)
      await put(
        `${f}/${info.value.partNumber}.bootrom.ld`,
        dummyImage(`${f}/${m}.bootrom`, Math.round(SIZES[m]!.bootrom! * SCALE)),
      );
  }
  await put('sp-4.0.11/sip.ver', '4.0.11.0593\n');
  await put('sp-4.0.11/bootrom.ver', '4.4.0.0000\n');
  await put('ucs-5.9.7/sip.ver', '5.9.7.4477\n');
  await mkdir(join(dir, 'data'), { recursive: true });
  const yamlPath = join(dir, 'appliance.yaml');
  await writeFile(yamlPath, yaml(models));
  return { dir, yamlPath };
}

/** A lab whose two hosts sit on 10.91.8.0/21 (namespaces only). */
async function lab(): Promise<Lab> {
  const l = await createLab({
    prefix: 'simb',
    hosts: ['app', 'phones'],
    subnet: '10.91.8',
  });
  for (const [h, ip] of [
    ['app', '10.91.8.1'],
    ['phones', '10.91.8.2'],
  ] as const) {
    await l.exec(h, ['ip', 'addr', 'del', `${ip}/24`, 'dev', 'eth0']);
    await l.exec(h, ['ip', 'addr', 'add', `${ip}/21`, 'dev', 'eth0']);
  }
  await l.exec('phones', ['ip', 'route', 'add', 'default', 'dev', 'eth0']);
  return l;
}

const hwmKb = (pid: number | undefined): number => {
  if (!pid) return 0;
  try {
    return Number(
      /VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ??
        0,
    );
  } catch {
    return 0;
  }
};

/** CPU seconds (user + system, all threads) a process has used so far; 0 once it is gone. */
const cpuS = (pid: number | undefined): number => {
  if (!pid) return 0;
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8')
      .split(') ')[1]!
      .split(' ');
    return (Number(f[11]) + Number(f[12])) / 100;
  } catch {
    return 0;
  }
};

function spawnWatched(
  l: Lab,
  argv: string[],
  ready: string,
): Promise<{ child: ChildProcess; out: () => string }> {
  const child = l.spawn('app', argv, {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, LOG_LEVEL: process.env.STORM_LOG_LEVEL ?? 'info' },
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => {
    out = (out + d.toString()).slice(-200_000);
  });
  child.stderr!.on('data', (d: Buffer) => {
    out = (out + d.toString()).slice(-200_000);
  });
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

interface StackResult {
  stack: string;
  sim: SimJson;
  simWallMs: number;
  simCpuS: number;
  peakRssKb: Record<string, number>;
  cpuS: Record<string, number>;
  fault?: Record<string, unknown>;
}

async function runPhones(
  l: Lab,
  dir: string,
  models: string[],
  extra: string[],
  during?: () => Promise<void>,
): Promise<{ sim: SimJson; wallMs: number; cpuS: number }> {
  const json = join(dir, `phonesim-${Date.now()}.json`);
  const list = models.join(',');
  const args = [
    process.execPath,
    PHONESIM,
    '--count',
    String(N),
    '--model',
    list,
    '--mac-base',
    macOf(0),
    '--assign-addresses',
    'eth0',
    '--uploads',
    'best-effort',
    '--boots',
    '5',
    '--reboot-delay',
    '2000',
    '--dhcp-timeout',
    '2000',
    '--dhcp-attempts',
    '6',
    '--timeout',
    '60000',
    '--user-change',
    'up.backlight.idleIntensity=1',
    '--app-version',
    '3.3.0.0000',
    '--boot-version',
    '4.0.0.0000',
    ...(a['vvx-current'] ? ['--app-version', 'VVX410=5.9.7.4477'] : []),
    '--json',
    json,
    ...extra,
    ...(process.env.STORM_SIM_ARGS
      ? process.env.STORM_SIM_ARGS.split(' ')
      : []),
  ];
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
        s.includes(`${N}/${N} done`))
    ) {
      lastProgress = performance.now();
      process.stderr.write(`${s}\n`);
    }
  });
  // The simulator's own CPU (one process for all phones): when it nears one core, it is what limits the storm.
  let simCpu = 0;
  const sampler = setInterval(() => {
    simCpu = Math.max(simCpu, cpuS(child.pid));
  }, 250);
  const done = new Promise<void>((r) => child.on('exit', () => r()));
  if (during) await during();
  await done;
  clearInterval(sampler);
  if (process.env.STORM_DEBUG)
    process.stderr.write(`phonesim report: ${json}\n`);
  return {
    sim: JSON.parse(await readFile(json, 'utf8')) as SimJson,
    wallMs: Math.round(performance.now() - t0),
    cpuS: simCpu,
  };
}

async function applianceStack(
  models: string[],
  fault: boolean,
  killAtS = 10,
): Promise<StackResult> {
  const { dir, yamlPath } = await folder(models);
  const l = await lab();
  try {
    // STORM_NODE_FLAGS: node flags for the appliance (e.g. --max-semi-space-size=4); STORM_MEMPROBE=FILE: log
    // process.memoryUsage() of the appliance every 500 ms (memprobe.ts).
    const flags = [
      ...(process.env.STORM_NODE_FLAGS
        ? process.env.STORM_NODE_FLAGS.split(' ')
        : []),
      ...(process.env.STORM_MEMPROBE ? ['--import', MEMPROBE] : []),
    ];
    const argv = [
      process.execPath,
      ...flags,
      APPLIANCE_MAIN,
      'run',
      '--config',
      yamlPath,
    ];
    let app = await spawnWatched(l, argv, 'appliance running');
    let peak = 0;
    let cpu = 0;
    let cpuBefore = 0; // CPU of an appliance killed mid-storm
    const sampler = setInterval(() => {
      peak = Math.max(peak, hwmKb(app.child.pid));
      cpu = Math.max(cpu, cpuS(app.child.pid));
    }, 500);
    let faultInfo: Record<string, unknown> | undefined;
    const {
      sim,
      wallMs,
      cpuS: simCpuS,
    } = await runPhones(
      l,
      dir,
      models,
      [],
      fault
        ? async () => {
            await new Promise((r) => setTimeout(r, killAtS * 1000));
            peak = Math.max(peak, hwmKb(app.child.pid));
            cpuBefore = Math.max(cpu, cpuS(app.child.pid));
            cpu = 0;
            const t = performance.now();
            process.kill(app.child.pid!, 'SIGKILL');
            await new Promise((r) => app.child.once('exit', r));
            app = await spawnWatched(l, argv, 'appliance running');
            faultInfo = {
              killedAtS: killAtS,
              restartMs: Math.round(performance.now() - t),
            };
          }
        : undefined,
    );
    clearInterval(sampler);
    peak = Math.max(peak, hwmKb(app.child.pid));
    cpu = cpuBefore + Math.max(cpu, cpuS(app.child.pid));
    if (fault)
      faultInfo = { ...faultInfo, ...(await checkFault(sim, yamlPath)) };
    return {
      stack: fault ? 'appliance (kill -9 + restart)' : 'appliance',
      sim,
      simWallMs: wallMs,
      simCpuS,
      peakRssKb: { appliance: peak },
      cpuS: { appliance: cpu },
      ...(faultInfo ? { fault: faultInfo } : {}),
    };
  } finally {
    await l.destroy();
  }
}

/** No address held by two phones; every upload the server acknowledged (last boot of each phone) is intact. */
async function checkFault(
  sim: SimJson,
  yamlPath: string,
): Promise<Record<string, unknown>> {
  const byAddr = new Map<string, string[]>();
  for (const p of sim.phones)
    if (p.address)
      byAddr.set(p.address, [...(byAddr.get(p.address) ?? []), p.mac]);
  const duplicates = [...byAddr.entries()].filter(
    ([, macs]) => macs.length > 1,
  );
  const model = await loadConfigFile(yamlPath);
  if (!model.ok) throw new Error('yaml');
  const tree = createTree(model.value.model);
  let acked = 0;
  const damaged: string[] = [];
  for (const p of sim.phones) {
    for (const s of p.steps as {
      step: string;
      status: string;
      detail?: string;
      sha256?: string;
    }[]) {
      if (
        !['boot-log', 'app-log', 'calls-upload', 'override-upload'].includes(
          s.step,
        ) ||
        s.status !== 'ok' ||
        !s.detail
      )
        continue;
      acked++;
      const f = await tree.read(s.detail);
      if (
        !f.ok ||
        createHash('sha256').update(f.value).digest('hex') !== s.sha256
      )
        damaged.push(`${p.mac} ${s.detail}`);
    }
  }
  return {
    duplicateAddresses: duplicates.length,
    duplicates: duplicates.slice(0, 5),
    acknowledgedUploads: acked,
    damagedUploads: damaged.length,
    damaged: damaged.slice(0, 5),
  };
}

async function classicStack(models: string[]): Promise<StackResult> {
  const { dir, yamlPath } = await folder(models);
  const out = join(dir, 'rendered');
  execFileSync(
    process.execPath,
    [APPLIANCE_MAIN, 'render', '--config', yamlPath, '--out', out],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
  const l = await lab();
  try {
    const url =
      PROTO === 'tftp' ? 'tftp://10.91.8.1' : 'ftp://anonymous:phone@10.91.8.1';
    const dns = await spawnWatched(
      l,
      [
        'dnsmasq',
        '--no-daemon',
        '--port=0',
        '--interface=eth0',
        '--bind-interfaces',
        '--no-ping',
        '-u',
        'root',
        '--dhcp-range=10.91.9.0,10.91.15.250,255.255.248.0,1h',
        `--dhcp-leasefile=${join(dir, 'dnsmasq.leases')}`,
        '--dhcp-lease-max=100000',
        `--dhcp-option=66,${url}`,
        `--dhcp-option=160,${url}`,
        '--quiet-dhcp',
        '--log-facility=-',
        ...(PROTO === 'tftp'
          ? [
              '--enable-tftp',
              `--tftp-root=${out}`,
              `--tftp-max=${Math.max(50, N)}`,
            ]
          : []),
      ],
      '',
    );
    let ftpd: { child: ChildProcess } | undefined;
    if (PROTO === 'ftp') {
      const conf = join(dir, 'vsftpd.conf');
      await writeFile(
        conf,
        [
          'listen=YES',
          'listen_address=10.91.8.1',
          'background=NO',
          'anonymous_enable=YES',
          `anon_root=${out}`,
          'no_anon_password=YES',
          'local_enable=NO',
          'write_enable=NO',
          'pasv_enable=YES',
          'pasv_min_port=31000',
          'pasv_max_port=32999',
          `max_clients=${N * 2}`,
          `max_per_ip=${N * 2}`,
          'seccomp_sandbox=NO',
          'secure_chroot_dir=/var/run/vsftpd/empty',
          'xferlog_enable=NO',
          'use_sendfile=YES',
          '',
        ].join('\n'),
      );
      ftpd = await spawnWatched(l, ['vsftpd', conf], '');
    }
    if (process.env.STORM_TCPDUMP)
      l.spawn(
        'phones',
        [
          'tcpdump',
          '-i',
          'eth0',
          '-n',
          '-w',
          process.env.STORM_TCPDUMP,
          'udp and not port 67 and not port 68',
        ],
        { stdio: 'ignore' },
      );
    await new Promise((r) => setTimeout(r, 500));
    let peak: Record<string, number> = {};
    let cpu = 0;
    const sample = (): void => {
      peak = {
        dnsmasq: Math.max(peak.dnsmasq ?? 0, hwmKb(dns.child.pid)),
        ...(ftpd
          ? { vsftpd: Math.max(peak.vsftpd ?? 0, hwmKb(ftpd.child.pid)) }
          : {}),
      };
      cpu = Math.max(cpu, cpuS(dns.child.pid));
    };
    const sampler = setInterval(sample, 500);
    const {
      sim,
      wallMs,
      cpuS: simCpuS,
    } = await runPhones(
      l,
      dir,
      models,
      PROTO === 'ftp' ? ['--server-type', 'ftp'] : [],
    );
    clearInterval(sampler);
    if (process.env.STORM_DEBUG)
      process.stderr.write(`${dns.out().slice(-5000)}\n`);
    sample();
    return {
      stack:
        PROTO === 'tftp'
          ? 'dnsmasq (DHCP+TFTP)'
          : 'dnsmasq (DHCP) + vsftpd (FTP)',
      sim,
      simWallMs: wallMs,
      simCpuS,
      peakRssKb: peak,
      cpuS: { dnsmasq: cpu },
    };
  } finally {
    await l.destroy();
  }
}

const models = modelList();
const results: StackResult[] = [];
for (const s of a.stacks!.split(',')) {
  process.stderr.write(`storm: ${N} phones, ${PROTO}, stack ${s}\n`);
  results.push(
    s === 'classic'
      ? await classicStack(models)
      : await applianceStack(models, false),
  );
}
if (a.fault) {
  process.stderr.write(
    `storm: ${N} phones, ${PROTO}, appliance with kill -9 mid-storm\n`,
  );
  const normal = results.find((r) => r.stack === 'appliance');
  const killAt = a['kill-at']
    ? Number(a['kill-at'])
    : normal
      ? Math.max(2, Math.round((0.4 * normal.sim.aggregate.wallMs) / 1000))
      : 10;
  results.push(await applianceStack(models, true, killAt));
}
const counts: Record<string, number> = {};
for (const m of models) counts[m] = (counts[m] ?? 0) + 1;
console.log(
  `phones ${N} (${Object.entries(counts)
    .map(([m, c]) => `${c} ${m}`)
    .join(
      ', ',
    )}), protocol ${PROTO}, image scale ${SCALE}${a['vvx-current'] ? ', VVX flash already on the served 5.9.7.4477 (sip.ver matches: no image download)' : ', every phone upgrades'}`,
);
console.log(
  '| stack | provisioned | total time (s) | p50 (s) | p99 (s) | retries | failed by step | peak RSS (MB) | server CPU (s) | phonesim CPU (s) |',
);
console.log('|---|---|---|---|---|---|---|---|---|---|');
for (const r of results) {
  const g = r.sim.aggregate;
  console.log(
    `| ${r.stack} | ${g.provisioned}/${g.phones} | ${(g.wallMs / 1000).toFixed(1)} | ${(g.p50Ms / 1000).toFixed(1)} | ${(g.p99Ms / 1000).toFixed(1)} | ${g.retries} | ${JSON.stringify(g.failedBySteps)} | ${Object.entries(
      r.peakRssKb,
    )
      .map(([k, v]) => `${k} ${(v / 1024).toFixed(0)}`)
      .join(', ')} | ${Object.entries(r.cpuS)
      .map(([k, v]) => `${k} ${v.toFixed(1)}`)
      .join(', ')} | ${r.simCpuS.toFixed(1)} |`,
  );
}
const app = results.find((r) => r.stack === 'appliance');
const classic = results.find((r) => r.stack.startsWith('dnsmasq'));
if (app && classic)
  console.log(
    `ratio appliance / classic total time: ${(app.sim.aggregate.wallMs / classic.sim.aggregate.wallMs).toFixed(2)}`,
  );
for (const r of results)
  if (r.fault) console.log(`fault run: ${JSON.stringify(r.fault)}`);
if (a.json)
  await writeFile(
    a.json,
    JSON.stringify(
      results.map((r) => ({
        stack: r.stack,
        aggregate: r.sim.aggregate,
        peakRssKb: r.peakRssKb,
        cpuS: r.cpuS,
        simCpuS: r.simCpuS,
        fault: r.fault,
      })),
      null,
      1,
    ),
  );
