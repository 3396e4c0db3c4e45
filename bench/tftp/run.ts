/**
 * Benchmark: 100 concurrent downloads of a 4 MB image from our TFTP server and from tftpd-hpa (in.tftpd),
 * same machine, same lab, same run, same blksize (1468), tftpd-hpa first then ours in each round:
 *   curl     100 curl processes at once (lock-step, windowsize 1; curl has no windowsize);
 *   atftp1   100 atftp processes at windowsize 1 (lock-step);
 *   atftp16  100 atftp processes asking for windowsize 16 (RFC 7440). tftpd-hpa 5.2 does not implement
 *            windowsize and ignores the option, so against it atftp stays lock-step;
 *   native1  one process (the native load generator, loadgen.c) running the 100 downloads lock-step, every one
 *            checked (a wrong server fails the round): every block compared with the image file, or with
 *            --gen-verify sha256 length + SHA-256; far cheaper per block than 100 curl processes;
 *   native16 the same asking for windowsize 16 (tftpd-hpa: lock-step, as for atftp16);
 *   ws1/ws16 (not by default) one Node process (test/lib/tftp-client.ts) running the 100 downloads: that single
 *            client process is itself the bottleneck, so these rows say little about the servers.
 * Wall time of each round (best of --rounds), ratio ours / tftpd-hpa; each server's CPU time exactly (its own
 * cgroup, cpu-groups.ts: every thread, every forked child) and per datagram it sent (srv's eth0 counters, so
 * retransmits count); the clients' CPU (their own cgroup; not for ws1/ws16); every round with the load average;
 * the appliance's peak RSS. Content is checked by sha256 at the end. The service allows COUNT transfers per
 * client address: all clients share the cli host's address.
 *
 *   node bench/tftp/run.ts [--count 100] [--size 4194304] [--rounds 1] [--only curl,atftp1,atftp16,native1,native16]
 *                          [--engine native|js] [--ours-only] [--prof DIR] [--perf FILE] [--gen-verify compare|sha256] [--pin]
 * Needs root, in.tftpd (tftpd-hpa), curl and atftp. Prints markdown tables (paste into bench/results/tftp.md).
 */

import { execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createTftpLab, IMAGE, REPO, SRV } from '../../test/lib/tftp-lab.ts';
import { createCpuGroups } from '../lib/cpu-groups.ts';
import {
  atftpCmd,
  curlCmd,
  parallelScript,
  parseRound,
  type RoundResult,
  shellIn,
} from './clients.ts';
import { type GenSample, genCmd, genTable, parseGen } from './gen-rounds.ts';
import { loadGenerator } from './loadgen.ts';
import { type Sampled, sampleCpu } from './proc-sampler.ts';

const argv = process.argv.slice(2);
const opt = (name: string, dflt: number): number => {
  const i = argv.indexOf(name);
  return i >= 0 ? Number(argv[i + 1]) : dflt;
};
const COUNT = opt('--count', 100);
const SIZE = opt('--size', 4 * 1024 * 1024);
const ROUNDS = opt('--rounds', 1);
const HPA_PORT = 1069;
const flag = (name: string): string | undefined => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
};
/** Rounds: curl, atftp1, atftp16, native1, native16 (the native generator), ws1, ws16 (Node client). */
const ONLY = new Set(
  (flag('--only') ?? 'curl,atftp1,atftp16,native1,native16').split(','),
);
if (ONLY.has('native1') || ONLY.has('native16')) loadGenerator(); // compiled before any round
/** Write a CPU profile of the service process into this folder (node --cpu-prof). */
const PROF = flag('--prof');
/** Record the service process with `perf record` during our rounds into this file (see traced()). */
const PERF = flag('--perf');
/** Who runs our downloads: native (the default, native/engine.c) or js (the send machine in the service thread). */
const ENGINE =
  flag('--engine') === 'js' ? ('js' as const) : ('native' as const);
/** Skip tftpd-hpa (profiling runs). */
const OURS_ONLY = argv.includes('--ours-only');
/** How the native generator checks content: compare (each block with the image file; default) or sha256. */
const GEN_VERIFY = flag('--gen-verify') === 'sha256' ? 'sha256' : 'compare';
/** Servers on CPU 0, clients on CPU 1 (taskset): each side has one core, the slower one sets the wall time. */
const PIN = argv.includes('--pin');

const loadBefore = readFileSync('/proc/loadavg', 'utf8').trim();
const created = await createTftpLab({
  imageSize: SIZE,
  cmds: ['in.tftpd', 'curl', 'atftp'],
  quiet: true,
  hosts: ['srv', 'cli'],
  retry: '1000,8000,5',
  nodeArgs: PROF ? ['--cpu-prof', '--cpu-prof-dir', PROF] : [],
  engine: ENGINE,
  maxTransfersPerHost: COUNT + 4, // every client shares cli's address (a phone lab has one address per phone)
});
if ('skip' in created) {
  console.error(created.skip);
  process.exit(2);
}
const l = created;
const cleanup: (() => void)[] = [];
try {
  const tftpboot = join(l.dir, 'tftpboot');
  const hpa = l.lab.spawn('srv', [
    'in.tftpd',
    '--foreground',
    '--listen',
    '--address',
    `${SRV}:${HPA_PORT}`,
    '--user',
    'root',
    '--secure',
    '--blocksize',
    '1468',
    tftpboot,
  ]);
  let hpaErr = '';
  hpa.stderr!.on('data', (d: Buffer) => {
    hpaErr += d.toString();
  });
  await new Promise((r) => setTimeout(r, 300));
  if (hpa.exitCode !== null) throw new Error(`in.tftpd exited: ${hpaErr}`);

  const groups = createCpuGroups('tftp-bench', ['ours', 'hpa', 'cli']);
  cleanup.push(() => groups.destroy());
  groups.join('ours', l.pid);
  groups.join('hpa', hpa.pid!);
  if (PIN) {
    // servers on CPU 0; this process on CPU 1, so every client it starts from now on runs there
    for (const [cpu, pid] of [
      [0, l.pid],
      [0, hpa.pid!],
      [1, process.pid],
    ] as const)
      execFileSync('taskset', ['-a', '-p', '-c', String(cpu), String(pid)], {
        stdio: 'ignore',
      });
  }
  const cliNs = l.lab.hosts.cli!.ns;
  const clientRound = async (cmd: string): Promise<RoundResult> =>
    parseRound(
      await shellIn(cliNs, groups.procsFile('cli'), parallelScript(COUNT, cmd)),
    );
  const curlRound = (port: number): Promise<RoundResult> =>
    clientRound(curlCmd(SRV, port, IMAGE));
  const atftpRound = (port: number, ws: number): Promise<RoundResult> =>
    clientRound(atftpCmd(SRV, port, IMAGE, ws));
  const genRound = async (port: number, ws: number): Promise<RoundResult> =>
    parseGen(
      await shellIn(
        cliNs,
        groups.procsFile('cli'),
        genCmd(REPO, SRV, port, IMAGE, {
          count: COUNT,
          windowsize: ws,
          size: l.imageSize,
          sha256: l.imageSha,
          reference:
            GEN_VERIFY === 'compare' ? join(tftpboot, IMAGE) : undefined,
        }),
      ),
    );
  /** Datagrams sent and received by srv's eth0 (/proc/net/dev is per namespace). */
  const srvPackets = async (): Promise<{ tx: number; rx: number }> => {
    const r = await l.lab.exec('srv', ['cat', '/proc/net/dev']);
    const line = r.stdout.split('\n').find((x) => x.trim().startsWith('eth0:'));
    const f = line!.split(':')[1]!.trim().split(/\s+/).map(Number);
    return { rx: f[1]!, tx: f[9]! };
  };
  async function nodeRound(
    port: number,
    windowsize: number,
    count = COUNT,
  ): Promise<{ ms: number; failed: number; sha: string[] }> {
    const r = await l.lab.exec(
      'cli',
      [
        process.execPath,
        join(REPO, 'test/lib/tftp-client.ts'),
        SRV,
        IMAGE,
        '--port',
        String(port),
        '--blksize',
        '1468',
        '--windowsize',
        String(windowsize),
        '--count',
        String(count),
      ],
      { timeoutMs: 300_000 },
    );
    const j = JSON.parse(r.stdout) as {
      ok: number;
      failed: number;
      wallMs: number;
      sha256: string[];
    };
    return { ms: j.wallMs, failed: j.failed, sha: j.sha256 };
  }

  /** One round against one server: wall time, failures, the server's and the clients' CPU, datagrams. */
  interface Sample extends RoundResult {
    readonly cpuUs: number;
    readonly userUs: number;
    readonly sysUs: number;
    readonly cliUs: number;
    readonly cliUserUs: number;
    readonly cliSysUs: number;
    readonly tx: number;
    readonly rx: number;
    /** The previous measurement (proc-sampler.ts), for comparison. */
    readonly sampled: Sampled;
  }
  const measure = async (
    group: 'ours' | 'hpa',
    f: () => Promise<RoundResult>,
  ): Promise<Sample> => {
    const p0 = await srvPackets();
    const c0 = groups.read(group);
    const k0 = groups.read('cli');
    const sampler = sampleCpu(group === 'ours' ? l.pid : hpa.pid!);
    const r = await f();
    const sampled = sampler.stop();
    const c1 = groups.read(group);
    const k1 = groups.read('cli');
    const p1 = await srvPackets();
    return {
      ...r,
      cpuUs: c1.usageUs - c0.usageUs,
      userUs: c1.userUs - c0.userUs,
      sysUs: c1.systemUs - c0.systemUs,
      cliUs: k1.usageUs - k0.usageUs,
      cliUserUs: k1.userUs - k0.userUs,
      cliSysUs: k1.systemUs - k0.systemUs,
      tx: p1.tx - p0.tx,
      rx: p1.rx - p0.rx,
      sampled,
    };
  };
  const rows: string[] = [];
  const cpuRows: string[] = [];
  const roundRows: string[] = [];
  const genSamples: GenSample[] = [];
  const best = (xs: number[]): number => Math.min(...xs);
  const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0);
  /** CPU µs per datagram the server sent (DATA blocks, retransmits included, and one OACK per transfer). */
  const perBlock = (xs: Sample[]): number =>
    sum(xs.map((x) => x.cpuUs)) / sum(xs.map((x) => x.tx));
  /**
   * f() with `perf record -g` (or, TFTP_BENCH_STRACE=1, `strace -c -f`: every syscall of every thread and
   * child) attached to pid, output in file; tftpd-hpa is only traced with strace (perf -p misses its forks).
   */
  const traced = async <T>(
    pid: number,
    file: string | undefined,
    f: () => Promise<T>,
  ): Promise<T> => {
    const strace = process.env.TFTP_BENCH_STRACE === '1';
    if (!PERF || !file || (pid !== l.pid && !strace)) return f();
    const tracer = spawn(
      strace ? 'strace' : 'perf',
      strace
        ? ['-c', '-f', '-p', String(pid), '-o', file]
        : ['record', '-F', '999', '-g', '-p', String(pid), '-o', file],
      { stdio: 'ignore' },
    );
    await new Promise((res) => setTimeout(res, 500)); // attached before the round starts
    try {
      return await f();
    } finally {
      tracer.kill('SIGINT');
      await new Promise((res) => tracer.once('exit', res));
    }
  };
  const run = async (
    label: string,
    ours: () => Promise<RoundResult>,
    theirs: () => Promise<RoundResult>,
  ): Promise<void> => {
    const a: Sample[] = [];
    const b: Sample[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      if (!OURS_ONLY)
        b.push(
          await traced(hpa.pid!, `${PERF}.hpa`, () => measure('hpa', theirs)),
        );
      a.push(await traced(l.pid, PERF, () => measure('ours', ours)));
      const load = readFileSync('/proc/loadavg', 'utf8').split(' ');
      for (const [who, x] of [
        ['tftpd-hpa', b.at(-1)],
        ['ours', a.at(-1)],
      ] as const) {
        if (!x) continue;
        roundRows.push(
          `| ${label} | ${i + 1} | ${who} | ${x.ms} | ${x.failed} | ${(x.cpuUs / 1e6).toFixed(2)} (${(x.userUs / 1e6).toFixed(2)} + ${(x.sysUs / 1e6).toFixed(2)}) | ${x.tx} | ${(x.cpuUs / x.tx).toFixed(2)} | ${(x.cliUs / 1e6).toFixed(2)} | ${x.sampled.total.toFixed(2)} (${x.sampled.reaped.toFixed(2)} reaped, ${x.sampled.children} children) | ${load.slice(0, 3).join(' ')} |`,
        );
        console.error(roundRows.at(-1));
        if (x.gen)
          genSamples.push({
            label,
            round: i + 1,
            server: who,
            gen: x.gen,
            serverUs: x.cpuUs,
            cliUserUs: x.cliUserUs,
            cliSysUs: x.cliSysUs,
            load: load.slice(0, 3).join(' '),
          });
      }
    }
    const ms = (xs: Sample[]): number[] => xs.map((x) => x.ms);
    const failed = (xs: Sample[]): number => sum(xs.map((x) => x.failed));
    const all = (xs: number[]): string =>
      xs.length > 1 ? ` [${xs.join(', ')}]` : '';
    const cpu = (xs: Sample[]): number =>
      sum(xs.map((x) => x.cpuUs)) / xs.length / 1e6;
    rows.push(
      `| ${label} | ${best(ms(a))} ms${all(ms(a))} (${failed(a)} failed) | ${best(ms(b))} ms${all(ms(b))} (${failed(b)} failed) | ${(best(ms(a)) / best(ms(b))).toFixed(2)}× |`,
    );
    cpuRows.push(
      `| ${label} | ${cpu(a).toFixed(2)} s, ${perBlock(a).toFixed(2)} µs | ${cpu(b).toFixed(2)} s, ${perBlock(b).toFixed(2)} µs | ${(perBlock(a) / perBlock(b)).toFixed(2)}× |`,
    );
  };
  if (ONLY.has('curl'))
    await run(
      `${COUNT}× curl, blksize 1468, lock-step`,
      () => curlRound(69),
      () => curlRound(HPA_PORT),
    );
  if (ONLY.has('atftp1'))
    await run(
      `${COUNT}× atftp, blksize 1468, windowsize 1`,
      () => atftpRound(69, 1),
      () => atftpRound(HPA_PORT, 1),
    );
  if (ONLY.has('atftp16'))
    await run(
      `${COUNT}× atftp, blksize 1468, windowsize 16 (tftpd-hpa: ignored, lock-step)`,
      () => atftpRound(69, 16),
      () => atftpRound(HPA_PORT, 16),
    );
  if (ONLY.has('native1'))
    await run(
      `${COUNT}× native generator (${GEN_VERIFY}), blksize 1468, windowsize 1`,
      () => genRound(69, 1),
      () => genRound(HPA_PORT, 1),
    );
  if (ONLY.has('native16'))
    await run(
      `${COUNT}× native generator (${GEN_VERIFY}), blksize 1468, windowsize 16 (tftpd-hpa: ignored, lock-step)`,
      () => genRound(69, 16),
      () => genRound(HPA_PORT, 16),
    );
  if (ONLY.has('ws1'))
    await run(
      `${COUNT}× Node client, blksize 1468, windowsize 1`,
      () => nodeRound(69, 1),
      () => nodeRound(HPA_PORT, 1),
    );
  if (ONLY.has('ws16'))
    await run(
      `${COUNT}× Node client, blksize 1468, windowsize 16 (tftpd-hpa: ignored, lock-step)`,
      () => nodeRound(69, 16),
      () => nodeRound(HPA_PORT, 16),
    );
  const sha = await nodeRound(69, 16, 4);
  if (sha.sha.length !== 1 || sha.sha[0] !== l.imageSha)
    throw new Error(`content mismatch: ${JSON.stringify(sha.sha)}`);
  const stats = await l.stats();
  console.log(
    `| round (${COUNT} concurrent downloads of ${(SIZE / 1048576).toFixed(0)} MB) | ours | tftpd-hpa | ours / tftpd-hpa |`,
  );
  console.log('|---|---|---|---|');
  for (const r of rows) console.log(r);
  console.log(
    `\nServer CPU (cgroup v2 cpu.stat usage_usec, every thread and child process): mean per round, and µs per datagram sent (all rounds' CPU ÷ all rounds' datagrams; DATA incl. retransmits, plus one OACK per transfer; ${COUNT} × ${Math.floor(SIZE / 1468) + 1} = ${COUNT * (Math.floor(SIZE / 1468) + 1)} DATA blocks without loss):\n`,
  );
  console.log('| round | ours | tftpd-hpa | ours / tftpd-hpa per datagram |');
  console.log('|---|---|---|---|');
  for (const r of cpuRows) console.log(r);
  console.log(
    "\nEvery round (CPU s = user + system; datagrams: sent by srv's eth0; clients: CPU of the client processes; previous method: what this script measured before, /proc/<pid>/stat with cutime and the children sampled every 50 ms; load average after the round):\n",
  );
  console.log(
    '| round | # | server | wall ms | failed | server CPU s (user + sys) | datagrams | µs / datagram | clients CPU s | previous method s | load |',
  );
  console.log('|---|---|---|---|---|---|---|---|---|---|---|');
  for (const r of roundRows) console.log(r);
  if (genSamples.length > 0) {
    console.log(
      `\nNative generator rounds (one process, ${COUNT} downloads, each checked: ${GEN_VERIFY === 'compare' ? 'every block compared with the image file' : 'length + SHA-256'}; wall: its own clock, first RRQ to last outcome; generator CPU: its cgroup, the whole Node process incl. start-up, and the loop thread alone; busy: CPU ÷ wall, 1.00 = one core all the time):\n`,
    );
    for (const r of genTable(genSamples, COUNT, SIZE)) console.log(r);
  }
  console.log(
    `\nService: downloads run by the ${ENGINE} engine;${PIN ? ' servers pinned to CPU 0, clients to CPU 1 (--pin);' : ''} load average before: ${loadBefore}; after: ${readFileSync('/proc/loadavg', 'utf8').trim()}.`,
  );
  console.log(
    `\nAppliance (TFTP service process) peak RSS: ${(stats.maxRssKb / 1024).toFixed(0)} MB; retransmits ${stats.retransmits}, completed ${stats.completed}, failed ${stats.failed}.`,
  );
} finally {
  await l.destroy();
  for (const f of cleanup) f();
}
