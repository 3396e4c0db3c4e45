/**
 * Benchmark: 100 concurrent downloads of a 4 MB image from our TFTP server and from tftpd-hpa (in.tftpd),
 * same machine, same lab, same run, same blksize (1468), tftpd-hpa first then ours in each round:
 *   curl     100 curl processes at once (lock-step, windowsize 1; curl has no windowsize);
 *   atftp1   100 atftp processes at windowsize 1 (lock-step);
 *   atftp16  100 atftp processes asking for windowsize 16 (RFC 7440). tftpd-hpa 5.2 does not implement
 *            windowsize and ignores the option, so against it atftp stays lock-step;
 *   ws1/ws16 (not by default) one Node process (test/lib/tftp-client.ts) running the 100 downloads: that single
 *            client process is itself the bottleneck, so these rows say little about the servers.
 * Wall time of each round (best of --rounds), ratio ours / tftpd-hpa, the servers' CPU time, the appliance's
 * peak RSS and the machine's load average before and after. Content is checked by sha256 at the end.
 *
 *   node bench/tftp/run.ts [--count 100] [--size 4194304] [--rounds 1] [--only curl,atftp1,atftp16]
 *                          [--engine native|js] [--ours-only] [--prof DIR] [--perf FILE]
 * Needs root, in.tftpd (tftpd-hpa), curl and atftp. Prints markdown tables (paste into bench/results/tftp.md).
 */

import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createTftpLab, IMAGE, REPO, SRV } from '../../test/lib/tftp-lab.ts';

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
/** Rounds to run: curl, atftp1, atftp16, ws1, ws16 (the last two: Node client). Default: curl,atftp1,atftp16. */
const ONLY = new Set((flag('--only') ?? 'curl,atftp1,atftp16').split(','));
/** Write a CPU profile of the service process into this folder (node --cpu-prof). */
const PROF = flag('--prof');
/** Record the service process with `perf record` during our rounds into this file. */
const PERF = flag('--perf');
/** Who runs our downloads: native (the default, native/engine.c) or js (the send machine in the service thread). */
const ENGINE =
  flag('--engine') === 'js' ? ('js' as const) : ('native' as const);
/** Skip tftpd-hpa (profiling runs). */
const OURS_ONLY = argv.includes('--ours-only');

const loadBefore = readFileSync('/proc/loadavg', 'utf8').trim();
const created = await createTftpLab({
  imageSize: SIZE,
  cmds: ['in.tftpd', 'curl', 'atftp'],
  quiet: true,
  hosts: ['srv', 'cli'],
  retry: '1000,8000,5',
  nodeArgs: PROF ? ['--cpu-prof', '--cpu-prof-dir', PROF] : [],
  engine: ENGINE,
});
if ('skip' in created) {
  console.error(created.skip);
  process.exit(2);
}
const l = created;
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

  /**
   * CPU seconds (user + system) of a server process and its children. in.tftpd forks one child per transfer
   * and does not account them in cutime, so children are sampled every 50 ms while the round runs (their
   * last < 50 ms are missed: a slight under-count for tftpd-hpa).
   */
  const TICK = 100; // USER_HZ
  const statOf = (pid: string): string[] | undefined => {
    try {
      return readFileSync(`/proc/${pid}/stat`, 'utf8')
        .split(') ')[1]!
        .split(' ');
    } catch {
      return undefined;
    }
  };
  // fields after "(comm) ": state=0 ppid=1 … utime=11 stime=12 cutime=13 cstime=14
  const ticks = (f: string[]): number =>
    Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]);
  const cpuSampler = (pid: number): { stop(): number } => {
    const own0 = ticks(statOf(String(pid))!);
    const kids = new Map<string, number>();
    const sample = (): void => {
      for (const d of readdirSync('/proc')) {
        if (!/^[0-9]+$/.test(d)) continue;
        const f = statOf(d);
        if (f && Number(f[1]) === pid)
          kids.set(d, Math.max(kids.get(d) ?? 0, ticks(f)));
      }
    };
    const t = setInterval(sample, 50);
    return {
      stop() {
        clearInterval(t);
        sample();
        let k = 0;
        for (const v of kids.values()) k += v;
        const f = statOf(String(pid))!;
        if (process.env.TFTP_BENCH_DEBUG)
          console.error(`pid ${pid} utime ${f[11]} stime ${f[12]} kids ${k}`);
        return (ticks(f) - own0 + k) / TICK;
      },
    };
  };

  /** 100 curl processes at once, from a shell in the client namespace; wall time in ms and failures. */
  async function curlRound(
    port: number,
  ): Promise<{ ms: number; failed: number }> {
    const script = `t0=$(date +%s%N); fail=0; pids=""
for i in $(seq ${COUNT}); do curl -s --tftp-blksize 1468 -o /dev/null tftp://${SRV}:${port}/${IMAGE} & pids="$pids $!"; done
for p in $pids; do wait $p || fail=$((fail+1)); done
echo $(( ($(date +%s%N) - t0) / 1000000 )) $fail`;
    const r = await l.lab.exec('cli', ['sh', '-c', script], {
      timeoutMs: 300_000,
    });
    const [ms, failed] = r.stdout.trim().split(/\s+/).map(Number);
    return { ms: ms!, failed: failed! };
  }
  /** 100 atftp processes at once (atftp implements RFC 7440 windowsize; tftpd-hpa ignores the option). */
  async function atftpRound(
    port: number,
    windowsize: number,
  ): Promise<{ ms: number; failed: number }> {
    const script = `t0=$(date +%s%N); fail=0; pids=""
for i in $(seq ${COUNT}); do atftp --option "blksize 1468" --option "windowsize ${windowsize}" -g -r ${IMAGE} -l /dev/null ${SRV} ${port} >/dev/null 2>&1 & pids="$pids $!"; done
for p in $pids; do wait $p || fail=$((fail+1)); done
echo $(( ($(date +%s%N) - t0) / 1000000 )) $fail`;
    const r = await l.lab.exec('cli', ['sh', '-c', script], {
      timeoutMs: 300_000,
    });
    const [ms, failed] = r.stdout.trim().split(/\s+/).map(Number);
    return { ms: ms!, failed: failed! };
  }
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

  const rows: string[] = [];
  const best = (xs: number[]): number => Math.min(...xs);
  const cpuRows: string[] = [];
  const timed = async (
    pid: number,
    f: () => Promise<{ ms: number; failed: number }>,
  ): Promise<{ ms: number; failed: number; cpu: number }> => {
    const c = cpuSampler(pid);
    const r = await f();
    return { ...r, cpu: c.stop() };
  };
  const run = async (
    label: string,
    ours: () => Promise<{ ms: number; failed: number }>,
    theirs: () => Promise<{ ms: number; failed: number }>,
  ): Promise<void> => {
    const a: number[] = [];
    const b: number[] = [];
    const ca: number[] = [];
    const cb: number[] = [];
    let fa = 0;
    let fb = 0;
    for (let i = 0; i < ROUNDS; i++) {
      if (!OURS_ONLY) {
        const x = await timed(hpa.pid!, theirs);
        b.push(x.ms);
        fb += x.failed;
        cb.push(x.cpu);
      } else {
        b.push(NaN);
        cb.push(NaN);
      }
      const perf = PERF
        ? spawn(
            process.env.TFTP_BENCH_STRACE ? 'strace' : 'perf',
            process.env.TFTP_BENCH_STRACE
              ? ['-c', '-f', '-p', String(l.pid), '-o', PERF]
              : ['record', '-F', '999', '-g', '-p', String(l.pid), '-o', PERF],
            { stdio: 'ignore' },
          )
        : undefined;
      if (perf) await new Promise((res) => setTimeout(res, 500));
      const y = await timed(l.pid, ours);
      a.push(y.ms);
      fa += y.failed;
      ca.push(y.cpu);
      if (perf) {
        perf.kill('SIGINT');
        await new Promise((res) => perf.once('exit', res));
      }
    }
    const all = (xs: number[]): string =>
      xs.length > 1 ? ` [${xs.join(', ')}]` : '';
    rows.push(
      `| ${label} | ${best(a)} ms${all(a)} (${fa} failed) | ${best(b)} ms${all(b)} (${fb} failed) | ${(best(a) / best(b)).toFixed(2)}× |`,
    );
    cpuRows.push(
      `| ${label} | ${best(ca).toFixed(2)} s | ${best(cb).toFixed(2)} s | ${(best(ca) / best(cb)).toFixed(2)}× |`,
    );
    console.error(rows.at(-1));
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
    `\nCPU time of the server during each round (user + system; tftpd-hpa: the listener plus its per-transfer children, sampled every 50 ms):\n`,
  );
  console.log('| round | ours | tftpd-hpa | ours / tftpd-hpa |');
  console.log('|---|---|---|---|');
  for (const r of cpuRows) console.log(r);
  console.log(
    `\nService: downloads run by the ${ENGINE} engine; load average before: ${loadBefore}; after: ${readFileSync('/proc/loadavg', 'utf8').trim()}.`,
  );
  console.log(
    `\nAppliance (TFTP service process) peak RSS: ${(stats.maxRssKb / 1024).toFixed(0)} MB; retransmits ${stats.retransmits}, completed ${stats.completed}, failed ${stats.failed}.`,
  );
} finally {
  await l.destroy();
}
