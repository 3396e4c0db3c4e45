/**
 * The TFTP benchmark's client rounds: COUNT curl or atftp processes at once from a shell in the client
 * namespace, the shell (and so every client it forks) in a cgroup of its own so their CPU is counted exactly.
 * The shell joins the cgroup before it enters the namespace: `ip netns exec` remounts /sys, which hides the
 * cgroup2 mount inside the namespace.
 */
import { spawn } from 'node:child_process';
import type { GenRound } from './loadgen.ts';

export interface RoundResult {
  readonly ms: number;
  readonly failed: number;
  /** The native generator's own figures (gen-rounds.ts). */
  readonly gen?: GenRound;
}

/** Runs `script` with sh in namespace `ns`, the shell's pid first written to `procsFile`; its stdout. */
export function shellIn(
  ns: string,
  procsFile: string,
  script: string,
  timeoutMs = 300_000,
): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      'sh',
      [
        '-c',
        'echo $$ > "$1" && exec ip netns exec "$2" sh -c "$3"',
        'sh',
        procsFile,
        ns,
        script,
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString();
    });
    const timer = setTimeout(() => {
      if (child.pid) process.kill(child.pid, 'SIGKILL');
    }, timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(out);
      else
        reject(new Error(`client round exited ${code}: ${err.slice(-2000)}`));
    });
  });
}

/** COUNT copies of `cmd` at once; prints "<wall ms> <failed>". */
export function parallelScript(count: number, cmd: string): string {
  return `t0=$(date +%s%N); fail=0; pids=""
for i in $(seq ${count}); do ${cmd} & pids="$pids $!"; done
for p in $pids; do wait $p || fail=$((fail+1)); done
echo $(( ($(date +%s%N) - t0) / 1000000 )) $fail`;
}

export const curlCmd = (server: string, port: number, path: string): string =>
  `curl -s --tftp-blksize 1468 -o /dev/null tftp://${server}:${port}/${path}`;

/** atftp implements RFC 7440 windowsize; tftpd-hpa ignores the option (lock-step). */
export const atftpCmd = (
  server: string,
  port: number,
  path: string,
  windowsize: number,
): string =>
  `atftp --option "blksize 1468" --option "windowsize ${windowsize}" -g -r ${path} -l /dev/null ${server} ${port} >/dev/null 2>&1`;

export function parseRound(stdout: string): RoundResult {
  const [ms, failed] = stdout.trim().split(/\s+/).map(Number);
  return { ms: ms!, failed: failed! };
}
