/**
 * The markdown report of bench/ftp/run.ts: the wall-time table of the appliance and vsftpd, peak RSS, and per
 * round the exact CPU (cgroup v2) of the server, of the load generator and of the machine, with the project's
 * rule for the wall ratio: it counts only if the load generator costs less CPU per GiB than each server.
 */
import { cpus, loadavg } from 'node:os';
import type { RoundResult } from '../http/load-client.ts';
import type { ApplianceRun } from '../lib/bench-report.ts';
import * as fig from '../lib/bench-report.ts';

const { best, f2, generatorVerdict, median, shortCommand, sum } = fig;

export type Server = 'appliance' | 'vsftpd';
export type ClientMode = 'wire' | 'curl' | 'curl-parallel';

export interface Round extends RoundResult {
  /** CPU of the server's cgroup and of the load generator's during the round, µs. */
  readonly cpuUs: number;
  readonly cliUs: number;
  /** The whole machine's busy seconds (all cores, /proc/stat) during the round. */
  readonly busyS: number;
  /** 1-minute load average at the end of the round. */
  readonly load1: number;
}

export interface ReportInput extends ApplianceRun {
  readonly command: string;
  readonly mode: ClientMode;
  readonly vsftpdPort: number;
  readonly results: Readonly<Record<Server, readonly Round[]>>;
  readonly appPeakKiB: number;
  readonly vsPeakKiB: number;
}
const mib = (kib: number): string => `${(kib / 1024).toFixed(1)} MiB`;

function clients(r: ReportInput): string {
  const exact = `exactly ${r.size} bytes`;
  if (r.mode === 'wire')
    return `one load generator process (bench/http/load.ts; each download bench/http/wire-ftp-get.ts) starts
all ${r.count} downloads of a round at once: USER/PASS, TYPE I, PASV, RETR of the URL's path, QUIT, one control
and one data connection each, the data read into one static buffer shared by all (SO_RCVLOWAT at its size) and
counted, never copied or hashed; wall time is from the first connection to the end of the last session, and a
download counts as failed unless the server says 226 after ${exact}.`;
  return `${r.mode === 'curl' ? `${r.count} curl processes started at once (\`seq ${r.count} | xargs -P ${r.count} curl …\`, --curl)` : `one curl process running all ${r.count} downloads (\`--parallel --parallel-max ${r.count}\`, --curl-parallel)`},
passive/EPSV, binary, to /dev/null; wall time is from the start to the exit of the last one, and a download
counts as failed unless curl reports exit 0 and ${exact}.`;
}

export function renderReport(r: ReportInput): string {
  const { results, count, size } = r;
  const walls = (w: Server): number[] => results[w].map((x) => x.wallMs);
  const gib = (w: Server): number =>
    (results[w].length * count * size) / 2 ** 30;
  const perGiB = (w: Server, k: 'cpuUs' | 'cliUs'): number =>
    sum(results[w].map((x) => x[k])) / 1e6 / gib(w);
  const cores = (x: Round): number => x.busyS / (x.wallMs / 1000);
  const row = (w: Server, label: string, peak: string): string => {
    const m = median(walls(w));
    return `| ${label} | ${m.toFixed(0)} ms | ${best(walls(w)).toFixed(0)} ms | ${walls(
      w,
    )
      .map((x) => x.toFixed(0))
      .join(
        ', ',
      )} | ${((count * size) / 1048576 / (m / 1000)).toFixed(0)} MiB/s | ${sum(results[w].map((x) => x.failures))} | ${peak} |`;
  };
  const cpuRows: string[] = [];
  for (let i = 0; i < r.rounds; i++)
    for (const w of ['appliance', 'vsftpd'] as const) {
      const x = results[w][i]!;
      cpuRows.push(
        `| ${i + 1} | ${w} | ${x.wallMs.toFixed(0)} | ${f2(x.cpuUs / 1e6)} | ${f2(x.cliUs / 1e6)} | ${f2(x.cliUs / x.cpuUs)} | ${f2(x.busyS)} (${f2(cores(x))} cores) | ${f2(x.load1)} |`,
      );
    }
  const cheaper = (w: Server): boolean =>
    perGiB(w, 'cliUs') < perGiB(w, 'cpuUs');
  const verdict = (w: Server): string =>
    generatorVerdict(`${w}'s rounds`, perGiB(w, 'cliUs'), perGiB(w, 'cpuUs'));
  const busy = (w: Server): string =>
    f2(median(results[w].map((x) => cores(x))));
  const cmd = shortCommand(r.appCmd);
  const ratio = median(walls('appliance')) / median(walls('vsftpd'));
  return `# FTP benchmark: ${count} concurrent downloads of a 4 MiB image, appliance vs vsftpd

Command (from the repository root, as root): \`${r.command}\`
Run: ${new Date().toISOString()}, Node ${process.version}, ${cpus().length} × ${cpus()[0]?.model.trim().split(' ').slice(0, 2).join(' ')} shared with other
work (load average before ${r.loadBefore.map(f2).join(' ')}, at the end ${loadavg().map(f2).join(' ')}; wall-clock
figures on a loaded machine are noisy, CPU per GiB and VmHWM are not).

Lab: two network namespaces on a bridge (veth, MTU 1500). Server host: the appliance as users start it,
\`appliance run --config appliance.yaml\` (bench/lib/appliance-run.ts; every service of the file runs: DHCP,
TFTP, FTP on port 21, HTTP, admin, NTP, syslog; ftp-srv 4.6.3 + patches/; info-level JSON logs, one transfer
line per download; the process as re-executed: \`${cmd}\`), logging in as PlcmSpIp, and Debian's vsftpd
(anonymous, \`use_sendfile=YES\`, own config file) on port ${r.vsftpdPort}, both serving the same file from the same
folder. Client host: ${clients(r)} One warm-up round each, then ${r.rounds} rounds alternating which server goes first.

| server | median wall | best wall | rounds (ms) | throughput (median) | failures | peak RSS |
|---|---|---|---|---|---|---|
${row('appliance', 'appliance (ftp-srv over the tree)', `${mib(r.appPeakKiB)} (VmHWM)`)}
${row('vsftpd', 'vsftpd 3.0, sendfile', `${mib(r.vsPeakKiB)} (PSS of master + sessions, sampled every 20 ms)`)}

Appliance RSS when idle, before the first download: ${mib(r.appIdleRssKiB)} (VmHWM until then ${mib(r.appIdleHwmKiB)}).

CPU per round (s; cgroup v2 cpu.stat of the server's and of the load generator's group, every thread and
process, vsftpd's sessions included; machine: /proc/stat, all ${cpus().length} cores, softirq included):

| round | server | wall (ms) | server CPU | load generator CPU | generator ÷ server | machine busy | load (1 min) |
|---|---|---|---|---|---|---|---|
${cpuRows.join('\n')}

CPU per GiB served: appliance ${f2(perGiB('appliance', 'cpuUs'))} CPU-s, vsftpd ${f2(perGiB('vsftpd', 'cpuUs'))} CPU-s (${f2(perGiB('appliance', 'cpuUs') / perGiB('vsftpd', 'cpuUs'))}×).
Load generator: ${verdict('appliance')}; ${verdict('vsftpd')}: ${cheaper('appliance') && cheaper('vsftpd') ? 'cheaper than both servers, the wall ratio counts' : 'not cheaper than both servers, the wall ratio measures the clients too (CPU per GiB does not depend on them)'}.
Machine busy (median over the rounds): ${busy('appliance')} cores in the appliance's, ${busy('vsftpd')} in vsftpd's, of ${cpus().length}.

**Ratio appliance / vsftpd (median wall): ${f2(ratio)}×** (goal ≤ 2×, zero failures).
Transfers the appliance logged during the run: ${r.transfers.all}, ${r.transfers.ok} of them ok (${(r.rounds + 1) * count} downloads).

With one curl process running all downloads (\`--curl-parallel\`), vsftpd lost 23 to 68 of 100 downloads to
60 s data-connection timeouts (curl exit 56) in trial runs (2026-12-01) while the appliance lost none.
`;
}
