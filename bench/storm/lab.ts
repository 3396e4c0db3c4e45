/**
 * The storm's world: the appliance folder (appliance.yaml for N phones, tftpboot/ with dummy images generated
 * at run time, nothing large in git), the lab of namespaces "simb…" on 10.91.8.0/21, the link between the
 * server and the phones shaped to a line rate (tbf on both of the hub's veths), and the per-process figures
 * read from /proc (VmHWM, CPU seconds).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findModel } from '../../phonesim/src/identity.ts';
import { createLab, type Lab } from '../../test/lib/netns.ts';
import { dummyImage } from '../../test/lib/phonesim-lab.ts';
import { ADMIN_ON, DIAG_TOKEN } from './diag.ts';

export type Protocol = 'tftp' | 'ftp' | 'http';

const KB = 1024;
/** Image sizes per family (seed 004's table; bootROM ~1,100 KB, unconfirmed). */
export const SIZES: Record<string, { app: number; bootrom?: number }> = {
  SPIP650: { app: 3851 * KB, bootrom: 1100 * KB },
  SSIP6000: { app: 4087 * KB, bootrom: 1100 * KB },
  VVX410: { app: 50159 * KB },
};

/** The model of phone i, following the mix's proportions in a fixed interleaving (largest remainder). */
export function modelList(mix: string, n: number): string[] {
  const parts = mix.split(',').map((p) => {
    const [m, w] = p.split('=');
    return { m: m!, w: Number(w) };
  });
  const total = parts.reduce((s, p) => s + p.w, 0);
  const out: string[] = [];
  const acc = parts.map(() => 0);
  for (let i = 0; i < n; i++) {
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

export const macOf = (i: number): string =>
  `0004f2b${(i + 1).toString(16).padStart(5, '0')}`;

function yaml(models: string[], proto: Protocol): string {
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
    admin: ${ADMIN_ON ? `{ enabled: true, port: 8080, address: 10.91.8.1, token: ${DIAG_TOKEN} }` : '{ enabled: false }'}
    http: { enabled: ${proto === 'http'}, port: 80 }
    tftp: { maxTransfers: ${Math.max(500, models.length)} }
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
    bootServer: { protocol: ${proto}, path: "" }
    parameters: { voIpProt.server.1.address: pbx.lab.example }
phones:
${phones.join('\n')}
`;
}

/** A fresh appliance folder: appliance.yaml, tftpboot/ with the images of the models present, data/. */
export async function folder(
  models: string[],
  proto: Protocol,
  scale: number,
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
    const size = SIZES[m]!;
    await put(
      `${f}/${info.value.partNumber}.sip.ld`,
      dummyImage(`${f}/${m}`, Math.round(size.app * scale)),
    );
    if (size.bootrom)
      await put(
        `${f}/${info.value.partNumber}.bootrom.ld`,
        dummyImage(`${f}/${m}.bootrom`, Math.round(size.bootrom * scale)),
      );
  }
  await put('sp-4.0.11/sip.ver', '4.0.11.0593\n');
  await put('sp-4.0.11/bootrom.ver', '4.4.0.0000\n');
  await put('ucs-5.9.7/sip.ver', '5.9.7.4477\n');
  await mkdir(join(dir, 'data'), { recursive: true });
  const yamlPath = join(dir, 'appliance.yaml');
  await writeFile(yamlPath, yaml(models, proto));
  return { dir, yamlPath };
}

/** "1gbit", "500mbit", "100kbit" → bits per second; "none" → 0 (no shaping). */
export function parseRate(s: string): number {
  if (s === 'none' || s === '0') return 0;
  const m = /^(\d+(?:\.\d+)?)(k|m|g)?bit$/i.exec(s);
  if (!m) throw new Error(`--rate ${s}: expected e.g. 1gbit, 500mbit or none`);
  const mult = { k: 1e3, m: 1e6, g: 1e9 }[(m[2] ?? '').toLowerCase()] ?? 1;
  return Number(m[1]) * mult;
}

/** --pin: the CPU of the servers and the CPU of the simulator (taskset), on a 2-core machine. */
export const PIN = { server: 0, sim: 1 } as const;

/** argv prefixed with taskset to `cpu` when pinning. */
export const pinned = (pin: boolean, cpu: number, argv: string[]): string[] =>
  pin ? ['taskset', '-c', String(cpu), ...argv] : argv;

/**
 * The lab: hosts "app" (10.91.8.1) and "phones" (10.91.8.2) on a /21. With a rate, both of the hub's veths
 * (h0 towards the server, h1 towards the phones) get a tbf at that rate on egress: one full-duplex link that
 * every phone shares, as a floor of phones shares the appliance's port. burst 512 KB (whole 64 KB GSO
 * segments pass unsplit), queue 4 MB (lock-step TFTP holds at most one block per phone in it).
 */
export async function lab(rateBps: number, pin: boolean): Promise<Lab> {
  const l = await createLab({
    prefix: 'simb',
    hosts: ['app', 'phones'],
    subnet: '10.91.8',
  });
  try {
    for (const [h, ip] of [
      ['app', '10.91.8.1'],
      ['phones', '10.91.8.2'],
    ] as const) {
      await l.exec(h, ['ip', 'addr', 'del', `${ip}/24`, 'dev', 'eth0']);
      await l.exec(h, ['ip', 'addr', 'add', `${ip}/21`, 'dev', 'eth0']);
    }
    await l.exec('phones', ['ip', 'route', 'add', 'default', 'dev', 'eth0']);
    // --pin: each end's receive path runs on its own CPU (RPS), as on two machines with their own NICs; without
    // it, on veth the receiver's kernel work (and the TCP sends an ACK releases) runs in the sender's syscall.
    if (pin)
      for (const [h, mask] of [
        ['app', PIN.server + 1],
        ['phones', PIN.sim + 1],
      ] as const)
        await l.exec(h, [
          'sh',
          '-c',
          `echo ${mask} > /sys/class/net/eth0/queues/rx-0/rps_cpus`,
        ]);
    const hub = `${l.hosts.app!.ns.split('-')[0]}-hub`;
    noBridgeNetfilter(hub);
    if (rateBps > 0) for (const dev of ['h0', 'h1']) shape(hub, dev, rateBps);
  } catch (e) {
    await l.destroy();
    throw e;
  }
  return l;
}

/**
 * The hub is a switch: no iptables hooks on its bridge (br_netfilter's per-namespace default is on). On veth
 * the bridge runs in the sender's syscall, so those hooks were ~15 % of the simulator's TFTP CPU (and as much
 * of each server's sends) without filtering anything. STORM_BRIDGE_NF=1 keeps them (the labs before run 6).
 */
export function noBridgeNetfilter(hub: string): void {
  if (process.env.STORM_BRIDGE_NF === '1') return;
  for (const t of ['iptables', 'ip6tables', 'arptables'])
    execFileSync('ip', [
      'netns',
      'exec',
      hub,
      'sysctl',
      '-qw',
      `net.bridge.bridge-nf-call-${t}=0`,
    ]);
}

function shape(hub: string, dev: string, rateBps: number): void {
  execFileSync('ip', [
    'netns',
    'exec',
    hub,
    'tc',
    'qdisc',
    'add',
    'dev',
    dev,
    'root',
    'tbf',
    'rate',
    `${Math.round(rateBps)}bit`,
    'burst',
    '512kb',
    'limit',
    '4mb',
  ]);
}

/** How the simulator is profiled (storm rows, bench/phonesim): 499 Hz with call chains. */
export const PERF_RECORD = ['perf', 'record', '-q', '-F', '499', '-g'];

/** VmHWM of a process in KB; 0 once it is gone. */
export const hwmKb = (pid: number | undefined): number => {
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

/** CPU seconds a process has used so far, user and system (all threads); zeros once it is gone. */
export const cpuSplit = (
  pid: number | undefined,
): { user: number; sys: number } => {
  if (!pid) return { user: 0, sys: 0 };
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8')
      .split(') ')[1]!
      .split(' ');
    return { user: Number(f[11]) / 100, sys: Number(f[12]) / 100 };
  } catch {
    return { user: 0, sys: 0 };
  }
};

/** CPU seconds (user + system, all threads) a process has used so far; 0 once it is gone. */
export const cpuS = (pid: number | undefined): number => {
  const c = cpuSplit(pid);
  return c.user + c.sys;
};

/** The direct children of a process (nginx's workers, vsftpd's sessions). */
export const childrenOf = (pid: number | undefined): number[] => {
  if (!pid) return [];
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8')
      .trim()
      .split(/\s+/)
      .filter(Boolean)
      .map(Number);
  } catch {
    return [];
  }
};
