/**
 * The TFTP benchmark's native1/native16 rounds: the command that runs the native load generator
 * (loadgen-cli.ts) in the client namespace, and the table that says whether it was cheaper than the server
 * it loaded: wall, MB/s, the server's CPU and the generator's (its cgroup: the whole Node process; and its loop
 * thread alone), the generator's syscalls per DATA block, and how busy each side was (CPU ÷ wall). A round's wall
 * ratio measures the servers only where the generator used less CPU than the server.
 */
import { join } from 'node:path';
import type { RoundResult } from './clients.ts';
import type { GenRound } from './loadgen.ts';

export interface GenSample {
  readonly label: string;
  readonly round: number;
  readonly server: string;
  readonly gen: GenRound;
  /** Server CPU, and the client cgroup's CPU (user, system), µs. */
  readonly serverUs: number;
  readonly cliUserUs: number;
  readonly cliSysUs: number;
  readonly load: string;
}

/** The shell command (for bench/lib/shell-in.ts) that runs COUNT downloads with the native generator. */
export function genCmd(
  repo: string,
  server: string,
  port: number,
  path: string,
  o: {
    count: number;
    windowsize: number;
    size: number;
    sha256: string;
    /** Compare every block with this file instead of hashing (loadgen-cli.ts --reference). */
    reference?: string;
  },
): string {
  return [
    'exec',
    process.execPath,
    join(repo, 'bench/tftp/loadgen-cli.ts'),
    server,
    port,
    path,
    '--count',
    o.count,
    '--blksize',
    1468,
    '--windowsize',
    o.windowsize,
    '--size',
    o.size,
    '--sha256',
    o.sha256,
    ...(o.reference ? ['--reference', o.reference] : []),
  ].join(' ');
}

/** loadgen-cli.ts's JSON line as a round (its own wall clock: first RRQ to last outcome). */
export function parseGen(stdout: string): RoundResult & { gen: GenRound } {
  const gen = JSON.parse(stdout.trim().split('\n').at(-1)!) as GenRound;
  return { ms: gen.wallMs, failed: gen.failed, gen };
}

const s = (us: number): string => (us / 1e6).toFixed(2);

/** Markdown: one row per generator round. */
export function genTable(
  samples: readonly GenSample[],
  count: number,
  size: number,
): string[] {
  const blocks = count * (Math.floor(size / 1468) + 1);
  const out = [
    `| round | # | server | wall ms | MB/s | server CPU s | generator CPU s (user + sys) | generator loop thread s | generator ÷ server CPU | generator syscalls / block (sendto + recvmmsg + epoll_wait) | busy: server, generator (of one core) | load after |`,
    '|---|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const x of samples) {
    const g = x.gen;
    const cli = x.cliUserUs + x.cliSysUs;
    const per = (n: number): string => (n / blocks).toFixed(3);
    out.push(
      `| ${x.label} | ${x.round} | ${x.server} | ${g.wallMs} | ${((count * size) / 1e6 / (g.wallMs / 1e3)).toFixed(1)} | ${s(x.serverUs)} | ${s(cli)} (${s(x.cliUserUs)} + ${s(x.cliSysUs)}) | ${s(g.userUs + g.sysUs)} (${s(g.userUs)} + ${s(g.sysUs)}) | ${(cli / x.serverUs).toFixed(2)}× | ${per(g.sendCalls + g.recvCalls + g.epollWaits)} (${per(g.sendCalls)} + ${per(g.recvCalls)} + ${per(g.epollWaits)}) | ${(x.serverUs / (g.wallMs * 1e3)).toFixed(2)}, ${(cli / (g.wallMs * 1e3)).toFixed(2)} | ${x.load} |`,
    );
  }
  return out;
}
