/**
 * The markdown report of bench/http/run.ts: the wall-time table of both servers, peak RSS, and per round the
 * exact CPU (cgroup v2) of the server, of the load generator and of the machine, with the verdict the
 * project's rule asks for: a wall ratio counts only if the load generator costs less CPU than the servers.
 */
import { cpus, loadavg } from 'node:os';
import {
  type ApplianceRun,
  best,
  f2,
  generatorVerdict,
  median,
  shortCommand,
  sum,
} from '../lib/bench-report.ts';
import type { RoundResult } from './load-client.ts';

export type Server = 'appliance' | 'nginx';

export interface Round extends RoundResult {
  /** The server's CPU during the round, µs (cgroup usage, user, system). */
  readonly cpuUs: number;
  readonly userUs: number;
  readonly sysUs: number;
  /** The appliance's main thread's CPU during the round, s (NaN for nginx). */
  readonly mainS: number;
  /** The load generator's CPU during the round, µs. */
  readonly cliUs: number;
  /** The whole machine's busy and softirq seconds (all cores) during the round. */
  readonly busyS: number;
  readonly softirqS: number;
  /** 1-minute load average at the end of the round. */
  readonly load1: number;
}

export interface ReportInput extends ApplianceRun {
  readonly client: string;
  readonly nginxPort: number;
  readonly results: Readonly<Record<Server, readonly Round[]>>;
  readonly appRssKiB: number;
  readonly nginxRssKiB: number;
}

export function renderReport(r: ReportInput): string {
  const { results, count, size } = r;
  const a = results.appliance.map((x) => x.wallMs);
  const n = results.nginx.map((x) => x.wallMs);
  const fails = (w: Server): number => sum(results[w].map((x) => x.failures));
  const mib = (count * size) / 1048576;
  const gib = (w: Server): number =>
    (results[w].length * count * size) / 2 ** 30;
  const perGiB = (w: Server, k: 'cpuUs' | 'cliUs'): number =>
    sum(results[w].map((x) => x[k])) / 1e6 / gib(w);
  const cmd = shortCommand(r.appCmd);
  const row = (w: Server, label: string, rss: string): string =>
    `| ${label} | ${median(results[w].map((x) => x.wallMs)).toFixed(0)} ms | ${best(results[w].map((x) => x.wallMs)).toFixed(0)} ms | ${results[w].map((x) => x.wallMs.toFixed(0)).join(', ')} | ${(mib / (median(results[w].map((x) => x.wallMs)) / 1000)).toFixed(0)} MiB/s | ${fails(w)} | ${rss} |`;
  const cpuRows: string[] = [];
  for (let i = 0; i < r.rounds; i++)
    for (const w of ['appliance', 'nginx'] as const) {
      const x = results[w][i]!;
      cpuRows.push(
        `| ${i + 1} | ${w} | ${x.wallMs.toFixed(0)} | ${f2(x.cpuUs / 1e6)} (${f2(x.userUs / 1e6)} + ${f2(x.sysUs / 1e6)}) | ${Number.isNaN(x.mainS) ? '' : f2(x.mainS)} | ${f2(x.cliUs / 1e6)} | ${f2(x.cliUs / x.cpuUs)} | ${f2(x.busyS)} (${f2(x.busyS / (x.wallMs / 1000))} cores) | ${f2(x.softirqS)} | ${f2(x.load1)} |`,
      );
    }
  const verdict = (w: Server): string =>
    generatorVerdict(w, perGiB(w, 'cliUs'), perGiB(w, 'cpuUs'));
  const ratio = median(a) / median(n);
  return `# HTTP benchmark: ${count} concurrent downloads of a 4 MiB image, appliance vs nginx

Command (from the repository root, as root): \`node bench/http/run.ts ${process.argv.slice(2).join(' ')}\` (${r.rounds} rounds, ${count} downloads, --client ${r.client})
Run: ${new Date().toISOString()}, Node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'} shared with other
work (load average before ${r.loadBefore.map(f2).join(' ')}, at the end ${loadavg().map(f2).join(' ')}).

Lab: two network namespaces on a bridge (veth, MTU 1500). Server host: the appliance as users start it
(\`${cmd}\`, every service of the file), and nginx-light (\`worker_processes 2; sendfile on; access_log off\`) on
port ${r.nginxPort}, the same file from the same folder. Client host: one load generator process
(bench/http/load.ts --client ${r.client}) starts all ${count} GETs of a round at once (one connection each) and
reads every body to the end; wall time is first request to last byte. One warm-up round each, then ${r.rounds}
rounds alternating which server goes first.

| server | median wall | best wall | rounds (ms) | throughput (median) | failures | peak RSS |
|---|---|---|---|---|---|---|
${row('appliance', 'appliance', `${(r.appRssKiB / 1024).toFixed(1)} MiB`)}
${row('nginx', 'nginx 2 workers, sendfile', `${(r.nginxRssKiB / 1024).toFixed(1)} MiB (master + workers)`)}

Appliance RSS when idle, before the first download: ${(r.appIdleRssKiB / 1024).toFixed(1)} MiB (VmHWM until then ${(r.appIdleHwmKiB / 1024).toFixed(1)} MiB).

CPU per round (s; cgroup v2 cpu.stat, every thread and process of the group; machine: /proc/stat, all cores):

| round | server | wall (ms) | server CPU (user + sys) | appliance main thread | load generator CPU | generator ÷ server | machine busy | softirq | load (1 min) |
|---|---|---|---|---|---|---|---|---|---|
${cpuRows.join('\n')}

CPU per GiB served: appliance ${f2(perGiB('appliance', 'cpuUs'))} CPU-s, nginx ${f2(perGiB('nginx', 'cpuUs'))} CPU-s (${f2(perGiB('appliance', 'cpuUs') / perGiB('nginx', 'cpuUs'))}×).
Load generator: ${verdict('appliance')}; ${verdict('nginx')}.

**Ratio appliance / nginx (median wall): ${f2(ratio)}×** (goal ≤ 2×). Best-to-best: ${f2(best(a) / best(n))}×.
Transfers the appliance logged during the run: ${r.transfers.all}, ${r.transfers.ok} of them ok (${(r.rounds + 1) * count + 1} expected).
`;
}
