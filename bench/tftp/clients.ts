/**
 * The TFTP benchmark's client rounds: COUNT curl or atftp processes at once from a shell in the client
 * namespace (bench/lib/shell-in.ts: the shell, and so every client it forks, in a cgroup of its own so their
 * CPU is counted exactly).
 */
import type { GenRound } from './loadgen.ts';

export interface RoundResult {
  readonly ms: number;
  readonly failed: number;
  /** The native generator's own figures (gen-rounds.ts). */
  readonly gen?: GenRound;
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
