/**
 * One perfdhcp run (DORA, relay mode, random MACs) from the client namespace, and what it says about the run:
 * drops and delays from perfdhcp's statistics; perfdhcp's own CPU (the waiting shell's cutime + cstime in
 * /proc/<pid>/stat, exact once perfdhcp has exited); the kernel's Udp counters of both namespaces
 * (/proc/net/snmp is per network namespace); the server's CPU (utime + stime of its /proc/<pid>/stat, all
 * threads) over the run and the packets its interface sent (every reply, whatever the socket); the machine's
 * busy share (/proc/stat). From these, whether perfdhcp itself was the
 * limit: its CPU near one core, replies lost in its own socket buffer, or DISCOVERs sent behind the rate.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Lab } from '../../test/lib/netns.ts';

/**
 * perfdhcp's receive buffer, bytes asked (the kernel doubles it; 0: perfdhcp's own, net.core.rmem_default).
 * With the default 208 KiB a burst of a few hundred replies overflows it at 3000/s and above, for any server.
 */
export const CLIENT_RCVBUF = 8 * 1024 * 1024;

/** rcvbuf.c (perfdhcp's and kea-dhcp4's receive buffers) built once into the temporary folder (named by its hash): the LD_PRELOAD that sets the buffer. */
export function rcvbufShim(): string {
  const src = join(import.meta.dirname, 'rcvbuf.c');
  const hash = createHash('sha256')
    .update(readFileSync(src))
    .digest('hex')
    .slice(0, 12);
  const so = join(tmpdir(), `perfdhcp-rcvbuf-${hash}.so`);
  if (!existsSync(so))
    execFileSync('gcc', ['-shared', '-fPIC', '-O2', '-o', so, src, '-ldl']);
  return so;
}

export interface Udp {
  readonly inDatagrams: number;
  readonly outDatagrams: number;
  readonly rcvbufErrors: number;
}

export interface Run {
  readonly rate: number;
  readonly durationS: number;
  readonly dropsDO: number;
  readonly dropsRA: number;
  readonly sentDiscovers: number;
  readonly acks: number;
  readonly avgMs: number;
  readonly maxMs: number;
  readonly perfdhcpCpuS: number;
  readonly serverCpuS: number;
  /** Packets the server's interface sent during the run (every reply, raw socket or not). */
  readonly serverTx: number;
  readonly srv: Udp;
  readonly cli: Udp;
  /** Busy share of the machine's CPUs during the run (all processes, other work included), 0-1. */
  readonly machineBusy: number;
  readonly load1: number;
  /** Why perfdhcp, not the server, set the limit of this run; empty when it did not. */
  readonly generatorLimits: readonly string[];
  /**
   * The server's sockets (UDP and raw packet sockets, `ss -m`): datagrams dropped on them during the run
   * (sk_drops: a full receive buffer; Kea's raw socket has no Udp counters) and their largest receive buffer.
   */
  readonly srvSock: SockMem;
  /** perfdhcp's socket receive buffer as the kernel granted it (bytes; undefined: not set, the default). */
  readonly clientRcvbuf: number | undefined;
}

const TICK = 100; // USER_HZ: /proc/<pid>/stat counts CPU in 1/100 s
const statFields = (text: string): string[] =>
  text.slice(text.lastIndexOf(')') + 2).split(' ');

/** utime + stime of a live process, seconds; NaN when it is gone. */
export function processCpuS(pid: number | undefined): number {
  try {
    const f = statFields(readFileSync(`/proc/${pid}/stat`, 'utf8'));
    return (Number(f[11]) + Number(f[12])) / TICK;
  } catch {
    return NaN;
  }
}

/** VmHWM (peak resident set) of a live process in kB. */
export function vmHwmKb(pid: number | undefined): number | undefined {
  try {
    const s = readFileSync(`/proc/${pid}/status`, 'utf8');
    return Number(/VmHWM:\s+(\d+)/.exec(s)?.[1]);
  } catch {
    return undefined;
  }
}

const machineTicks = (): { busy: number; total: number } => {
  const v = readFileSync('/proc/stat', 'utf8')
    .split('\n')[0]!
    .split(/\s+/)
    .slice(1)
    .map(Number);
  const total = v.reduce((a, b) => a + b, 0);
  return { busy: total - v[3]! - v[4]!, total };
};

const txPackets = async (lab: Lab, host: string): Promise<number> =>
  Number(
    (await lab.exec(host, ['cat', '/sys/class/net/eth0/statistics/tx_packets']))
      .stdout,
  );

export async function udpCounters(lab: Lab, host: string): Promise<Udp> {
  const lines = (await lab.exec(host, ['cat', '/proc/net/snmp'])).stdout
    .split('\n')
    .filter((l) => l.startsWith('Udp:'));
  const names = lines[0]?.split(/\s+/) ?? [];
  const vals = lines[1]?.split(/\s+/).map(Number) ?? [];
  const at = (n: string): number => vals[names.indexOf(n)] ?? NaN;
  return {
    inDatagrams: at('InDatagrams'),
    outDatagrams: at('OutDatagrams'),
    rcvbufErrors: at('RcvbufErrors'),
  };
}

export interface SockMem {
  readonly drops: number;
  readonly rcvbuf: number;
}

/** Drops and receive buffers of a namespace's UDP and packet sockets, from `ss -m` (skmem d and rb). */
async function sockMem(lab: Lab, host: string): Promise<SockMem> {
  const out = (await lab.exec(host, ['ss', '-0', '-u', '-a', '-n', '-m']))
    .stdout;
  let drops = 0;
  let rcvbuf = 0;
  for (const m of out.matchAll(/skmem:\(([^)]*)\)/g)) {
    drops += Number(/(?:^|,)d(\d+)/.exec(m[1]!)?.[1] ?? 0);
    rcvbuf = Math.max(rcvbuf, Number(/(?:^|,)rb(\d+)/.exec(m[1]!)?.[1] ?? 0));
  }
  return { drops, rcvbuf };
}

const diff = (a: Udp, b: Udp): Udp => ({
  inDatagrams: b.inDatagrams - a.inDatagrams,
  outDatagrams: b.outDatagrams - a.outDatagrams,
  rcvbufErrors: b.rcvbufErrors - a.rcvbufErrors,
});

function section(text: string, name: string): string {
  const i = text.indexOf(`Statistics for: ${name}`);
  if (i < 0) return '';
  const j = text.indexOf('Statistics for:', i + 1);
  return text.slice(i, j < 0 ? undefined : j);
}
const num = (text: string, re: RegExp, missing: number): number => {
  const m = re.exec(text);
  return m ? Number(m[1]) : missing;
};

/** perfdhcp's CPU share above which it is taken as the limit (of one core: it is single-threaded). */
export const GENERATOR_CPU_LIMIT = 0.9;

export async function perfdhcp(
  lab: Lab,
  o: {
    rate: number;
    durationS: number;
    exitWaitS: number;
    server?: number;
    rcvbufBytes?: number;
    /** More perfdhcp arguments (e.g. -g single). */
    extra?: readonly string[];
  },
): Promise<Run> {
  const rcvbuf = o.rcvbufBytes ?? CLIENT_RCVBUF;
  const argv = [
    ...(rcvbuf > 0
      ? ['env', `RCVBUF_BYTES=${rcvbuf}`, `LD_PRELOAD=${rcvbufShim()}`]
      : []),
    'perfdhcp',
    '-4',
    '-l',
    'eth0',
    '-r',
    String(o.rate),
    '-p',
    String(o.durationS),
    '-R',
    '1000000',
    ...(o.exitWaitS > 0 ? ['-W', String(Math.round(o.exitWaitS * 1e6))] : []),
    ...(o.extra ?? []),
  ];
  // The shell waits for perfdhcp, then prints its own stat: fields 16-17 (cutime, cstime) are perfdhcp's CPU.
  const wrapped = [
    'sh',
    '-c',
    '"$@"; s=$?; read -r l < /proc/$$/stat; echo "WRAPSTAT $l"; exit $s',
    'sh',
    ...argv,
  ];
  const [cli0, srv0] = [
    await udpCounters(lab, 'cli'),
    await udpCounters(lab, 'srv'),
  ];
  const tx0 = await txPackets(lab, 'srv');
  const sock0 = await sockMem(lab, 'srv');
  const m0 = machineTicks();
  const s0 = processCpuS(o.server);
  const t0 = performance.now();
  const r = await lab.exec('cli', wrapped, {
    timeoutMs: (o.durationS + o.exitWaitS + 30) * 1000,
    allowFail: true,
  });
  const wallS = (performance.now() - t0) / 1000;
  const serverCpuS = processCpuS(o.server) - s0;
  const m1 = machineTicks();
  const tx1 = await txPackets(lab, 'srv');
  const sock1 = await sockMem(lab, 'srv');
  const [cli1, srv1] = [
    await udpCounters(lab, 'cli'),
    await udpCounters(lab, 'srv'),
  ];
  const stat = /WRAPSTAT (.*)/.exec(r.stdout)?.[1] ?? '';
  const f = stat ? statFields(stat) : [];
  const perfdhcpCpuS = (Number(f[13]) + Number(f[14])) / TICK;
  const doS = section(r.stdout, 'DISCOVER-OFFER');
  const raS = section(r.stdout, 'REQUEST-ACK');
  const cli = diff(cli0, cli1);
  const run = {
    rate: o.rate,
    durationS: o.durationS,
    dropsDO: num(doS, /drops ratio: ([\d.]+) %/, 100),
    dropsRA: num(raS, /drops ratio: ([\d.]+) %/, 100),
    sentDiscovers: num(doS, /sent packets: (\d+)/, 0),
    acks: num(raS, /received packets: (\d+)/, 0),
    avgMs: num(raS, /avg delay: ([\d.]+) ms/, NaN),
    maxMs: num(raS, /max delay: ([\d.]+) ms/, NaN),
    perfdhcpCpuS,
    serverCpuS,
    serverTx: tx1 - tx0,
    srvSock: { drops: sock1.drops - sock0.drops, rcvbuf: sock1.rcvbuf },
    srv: diff(srv0, srv1),
    cli,
    machineBusy: (m1.busy - m0.busy) / Math.max(1, m1.total - m0.total),
    load1: Number(readFileSync('/proc/loadavg', 'utf8').split(' ')[0]),
  };
  const limits: string[] = [];
  if (perfdhcpCpuS / wallS >= GENERATOR_CPU_LIMIT)
    limits.push(
      `perfdhcp CPU ${perfdhcpCpuS.toFixed(2)} s of ${wallS.toFixed(1)} s`,
    );
  if (cli.rcvbufErrors > 0)
    limits.push(`${cli.rcvbufErrors} replies lost in perfdhcp's socket buffer`);
  if (run.sentDiscovers < 0.97 * o.rate * o.durationS)
    limits.push(
      `perfdhcp sent ${run.sentDiscovers} DISCOVERs of ${o.rate * o.durationS}`,
    );
  const granted = /RCVBUF (\d+)/.exec(r.stderr)?.[1];
  return {
    ...run,
    generatorLimits: limits,
    clientRcvbuf: granted === undefined ? undefined : Number(granted),
  };
}

/** Below 0.1 % drops in both halves of the exchange. */
export const clean = (r: Run): boolean => r.dropsDO < 0.1 && r.dropsRA < 0.1;
