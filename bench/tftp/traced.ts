/**
 * A round run under a tracer: `perf record -g` (or, with TFTP_BENCH_STRACE=1, `strace -c -f`: every syscall of
 * every thread and child) attached to one server process, its output in a file. Without a file the round runs
 * as it is. perf is only attached to our service: `perf -p` misses tftpd-hpa's forked children.
 */
import { spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';

/** f() traced if a file is given (and the tracer fits the process), else f() alone. */
export type Tracer = <T>(
  pid: number,
  file: string | undefined,
  f: () => Promise<T>,
) => Promise<T>;

/** enabled: --perf was given; perfPid: the one process perf may be attached to (ours). */
export function createTracer(enabled: boolean, perfPid: number): Tracer {
  return async <T>(
    pid: number,
    file: string | undefined,
    f: () => Promise<T>,
  ): Promise<T> => {
    const strace = process.env.TFTP_BENCH_STRACE === '1';
    if (!enabled || !file || (pid !== perfPid && !strace)) return f();
    const tracer = spawn(
      strace ? 'strace' : 'perf',
      strace
        ? ['-c', '-f', '-p', String(pid), '-o', file]
        : ['record', '-F', '999', '-g', '-p', String(pid), '-o', file],
      { stdio: 'ignore' },
    );
    await sleep(500); // attached before the round starts
    try {
      return await f();
    } finally {
      tracer.kill('SIGINT');
      await new Promise((res) => tracer.once('exit', res));
    }
  };
}
