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

import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createTftpLab, IMAGE, REPO, SRV } from '../../test/lib/tftp-lab.ts';
import { createCpuGroups } from '../lib/cpu-groups.ts';
import { shellIn } from '../lib/shell-in.ts';
import {
  atftpCmd,
  curlCmd,
  parallelScript,
  parseRound,
  type RoundResult,
} from './clients.ts';
import { type GenSample, genCmd, parseGen } from './gen-rounds.ts';
import { loadGenerator } from './loadgen.ts';
import { createMeasure, parseEth0, type Sample } from './measure.ts';
import { printReport } from './report.ts';
import { createTracer } from './traced.ts';

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

  const measure = createMeasure({
    groups,
    pids: { ours: l.pid, hpa: hpa.pid! },
    srvPackets: async () =>
      parseEth0((await l.lab.exec('srv', ['cat', '/proc/net/dev'])).stdout),
  });
  const rows: string[] = [];
  const cpuRows: string[] = [];
  const roundRows: string[] = [];
  const genSamples: GenSample[] = [];
  const best = (xs: number[]): number => Math.min(...xs);
  const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0);
  /** CPU µs per datagram the server sent (DATA blocks, retransmits included, and one OACK per transfer). */
  const perBlock = (xs: Sample[]): number =>
    sum(xs.map((x) => x.cpuUs)) / sum(xs.map((x) => x.tx));
  const traced = createTracer(PERF !== undefined, l.pid);
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
  printReport({
    count: COUNT,
    size: SIZE,
    rows,
    cpuRows,
    roundRows,
    genSamples,
    genVerify: GEN_VERIFY,
    engine: ENGINE,
    pin: PIN,
    loadBefore,
    stats,
  });
} finally {
  await l.destroy();
  for (const f of cleanup) f();
}
