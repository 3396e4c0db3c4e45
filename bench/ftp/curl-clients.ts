/**
 * The FTP benchmark's former load generator, kept for comparison: curl in the client namespace, in the load
 * generator's cgroup (bench/lib/shell-in.ts). --curl: COUNT curl processes at once (xargs -P), one per download;
 * --curl-parallel: one curl running them all (--parallel). Passive/EPSV, binary, to /dev/null; a download
 * counts as failed unless curl exits 0 with exactly SIZE bytes, and failures are tallied, never thrown.
 */
import type { RoundResult } from '../http/load-client.ts';
import { shellIn } from '../lib/shell-in.ts';

export type CurlMode = 'curl' | 'curl-parallel';

export async function curlRound(
  mode: CurlMode,
  ns: string,
  procsFile: string,
  url: string,
  count: number,
  size: number,
): Promise<RoundResult> {
  const report = `-w '%{size_download} %{exitcode}\\n'`;
  const script =
    mode === 'curl'
      ? `seq ${count} | xargs -P ${count} -I{} curl -s --ftp-pasv --max-time 120 -o /dev/null ${report} '${url}'`
      : `curl -s --ftp-pasv --parallel --parallel-immediate --parallel-max ${count} --max-time 120 ${report}${` -o /dev/null '${url}'`.repeat(count)}`;
  const t0 = performance.now();
  // `; true`: failed downloads are tallied from the output, not thrown
  const stdout = await shellIn(ns, procsFile, `${script}; true`, 180_000);
  const wallMs = performance.now() - t0;
  const lines = stdout.trim().split('\n').filter(Boolean);
  let failures = count - lines.length;
  let bytes = 0;
  const codes: Record<string, number> = {};
  for (const l of lines) {
    const [got, code] = l.split(' ').map(Number);
    bytes += got ?? 0;
    if (got !== size || code !== 0) failures++;
    codes[String(code)] = (codes[String(code)] ?? 0) + 1;
  }
  if (failures)
    process.stderr.write(
      `${url}: ${failures} failed; curl exit codes ${JSON.stringify(codes)}\n`,
    );
  return { wallMs, failures, bytes };
}
