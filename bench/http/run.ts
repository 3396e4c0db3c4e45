/**
 * HTTP benchmark: 100 concurrent downloads of a 4 MiB image from the appliance's HTTP service and from nginx
 * (nginx-light, sendfile on, 2 workers), same lab, same loader, same run, rounds alternating between them.
 *
 *   node bench/http/run.ts [--rounds 5] [--count 100] [--write]
 *
 * Needs root (network namespaces), nginx and curl. Prints a markdown report; --write also saves it to
 * bench/results/http.md (keeping the notes below its table). Figures: wall time from the first request to the last byte (median and best of the
 * rounds, after one warm-up round each), the ratio appliance/nginx, failures, and peak RSS (VmHWM) of the
 * appliance process and of nginx (master + workers). The appliance is started as users start it (`appliance
 * run`, bench/lib/appliance-run.ts: every service the file enables, its own V8 flags).
 */

import type { ChildProcess } from 'node:child_process';
import {
  chmod,
  mkdir,
  mkdtemp,
  readFile,
  rm,
  writeFile,
} from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  applianceYaml,
  dummyBytes,
  REPO,
  SRV,
  SUBNET,
} from '../../test/lib/http-fixture.ts';
import {
  canRunLab,
  createLab,
  missingCommands,
  waitFor,
} from '../../test/lib/netns.ts';
import { cpuSeconds, startAppliance } from '../lib/appliance-run.ts';
import { numArg } from '../lib/args.ts';

const rounds = numArg('rounds', 5);
const count = numArg('count', 100);
const SIZE = 4 * 1024 * 1024;
const NGINX_PORT = 8088; // 8080 is the appliance's admin port

if (!canRunLab()) throw new Error('run as root (network namespaces)');
const missing = await missingCommands(['nginx', 'curl']);
if (missing.length)
  throw new Error(
    `missing ${missing.join(', ')} (apt-get install nginx-light curl)`,
  );

const dir = await mkdtemp(join(tmpdir(), 'http-bench-'));
await chmod(dir, 0o755); // nginx workers run as www-data
await mkdir(join(dir, 'tftpboot', 'ucs-5.9.7'), { recursive: true });
await mkdir(join(dir, 'nginx-tmp'), { recursive: true });
await writeFile(join(dir, 'tftpboot', 'image-4m.bin'), dummyBytes(SIZE, 42));
await writeFile(
  join(dir, 'appliance.yaml'),
  applianceYaml({ https: false, clientCa: false }),
);
const nginxConf = join(dir, 'nginx.conf');
await writeFile(
  nginxConf,
  `worker_processes 2;
daemon off;
pid ${dir}/nginx.pid;
error_log stderr warn;
events { worker_connections 4096; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  client_body_temp_path ${dir}/nginx-tmp/body;
  proxy_temp_path ${dir}/nginx-tmp/proxy;
  fastcgi_temp_path ${dir}/nginx-tmp/fastcgi;
  server { listen ${SRV}:${NGINX_PORT}; root ${dir}/tftpboot; }
}
`,
);

function vmHwmKiB(pid: number): Promise<number> {
  return readFile(`/proc/${pid}/status`, 'utf8').then(
    (s) => Number(/VmHWM:\s+(\d+)/.exec(s)?.[1] ?? 0),
    () => 0,
  );
}
async function childrenOf(pid: number): Promise<number[]> {
  const t = await readFile(`/proc/${pid}/task/${pid}/children`, 'utf8').catch(
    () => '',
  );
  return t.trim().split(/\s+/).filter(Boolean).map(Number);
}

interface Run {
  wallMs: number;
  failures: number;
  bytes: number;
  /** CPU seconds the server used during the round (nginx: master + workers). */
  cpuS: number;
}
const results: Record<'appliance' | 'nginx', Run[]> = {
  appliance: [],
  nginx: [],
};
const lab = await createLab({
  prefix: 'http',
  hosts: ['srv', 'cli'],
  subnet: SUBNET,
});
let report = '';
let nginx: ChildProcess | undefined;
const loadBefore = loadavg();
try {
  const app = await startAppliance(lab, 'srv', join(dir, 'appliance.yaml'));
  nginx = lab.spawn('srv', [
    'nginx',
    '-p',
    dir,
    '-c',
    nginxConf,
    '-e',
    'stderr',
  ]);
  let nginxErr = '';
  nginx.stderr!.on('data', (d: Buffer) => {
    nginxErr += d.toString();
  });
  nginx.stdout!.resume();
  const urls = {
    appliance: `http://${SRV}/image-4m.bin`,
    nginx: `http://${SRV}:${NGINX_PORT}/image-4m.bin`,
  };
  for (const u of Object.values(urls)) {
    await waitFor(
      async () =>
        (
          await lab.exec(
            'cli',
            ['curl', '-s', '-o', '/dev/null', '-w', '%{http_code}', u],
            { allowFail: true },
          )
        ).stdout === '200',
      10_000,
      `${u} (${nginxErr})`,
    );
  }
  const appIdleRss = await app.status('VmRSS');
  const appIdleHwm = await app.status('VmHWM');
  const appCmd = await app.cmdline();
  const nginxPids = [nginx.pid!, ...(await childrenOf(nginx.pid!))];
  const serverCpu = async (who: 'appliance' | 'nginx'): Promise<number> => {
    let sum = 0;
    for (const p of who === 'appliance' ? [app.child.pid!] : nginxPids)
      sum += await cpuSeconds(p);
    return sum;
  };
  const load = async (who: 'appliance' | 'nginx'): Promise<Run> => {
    const cpu0 = await serverCpu(who);
    const r = await lab.exec(
      'cli',
      [
        process.execPath,
        join(REPO, 'bench/http/load.ts'),
        urls[who],
        String(count),
        String(SIZE),
      ],
      { timeoutMs: 120_000 },
    );
    const run = JSON.parse(r.stdout) as Omit<Run, 'cpuS'>;
    return { ...run, cpuS: (await serverCpu(who)) - cpu0 };
  };
  await load('appliance');
  await load('nginx');
  for (let i = 0; i < rounds; i++) {
    const order: ('appliance' | 'nginx')[] =
      i % 2 === 0 ? ['appliance', 'nginx'] : ['nginx', 'appliance'];
    for (const who of order) results[who].push(await load(who));
  }
  const appRss = await app.status('VmHWM');
  let nginxRss = 0;
  for (const p of nginxPids) nginxRss += await vmHwmKiB(p);
  const transfers = app.transfers();

  const median = (xs: number[]): number =>
    [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const best = (xs: number[]): number => Math.min(...xs);
  const a = results.appliance.map((r) => r.wallMs);
  const n = results.nginx.map((r) => r.wallMs);
  const fails = (w: 'appliance' | 'nginx'): number =>
    results[w].reduce((s, r) => s + r.failures, 0);
  const mib = (count * SIZE) / 1048576;
  const ratio = median(a) / median(n);
  // CPU seconds per GiB served, over the timed rounds: a figure the machine's other load hardly moves
  const cpuPerGiB = (w: 'appliance' | 'nginx'): number =>
    results[w].reduce((s, r) => s + r.cpuS, 0) /
    ((results[w].length * count * SIZE) / 2 ** 30);
  const cpuRounds = (w: 'appliance' | 'nginx'): string =>
    results[w].map((r) => r.cpuS.toFixed(2)).join(', ');
  report = `# HTTP benchmark: ${count} concurrent downloads of a 4 MiB image, appliance vs nginx

Command (from the repository root, as root): \`node bench/http/run.ts --rounds ${rounds} --count ${count} --write\`
Run: ${new Date().toISOString()}, Node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'} shared with other
work (load average before ${loadBefore.map((x) => x.toFixed(2)).join(' ')}, at the end ${loadavg()
    .map((x) => x.toFixed(2))
    .join(
      ' ',
    )}; wall-clock figures on a loaded machine are noisy, VmHWM is not).

Lab: two network namespaces on a bridge (veth, MTU 1500). Server host: the appliance as users start it,
\`appliance run --config appliance.yaml\` (bench/lib/appliance-run.ts; every service of the file runs: DHCP,
TFTP, FTP, HTTP on port 80, admin, NTP, syslog; info-level JSON logs; the process as re-executed:
\`${appCmd
    .replace(/\S*\/bin\/node /, 'node ')
    .replace(/ \S*\/bin\/appliance\.js/, ' bin/appliance.js')
    .replace(/--config \S*/, '--config appliance.yaml')}\`), and
nginx-light (${'`'}worker_processes 2; sendfile on; access_log off${'`'}) on port ${NGINX_PORT}, both serving the same
file from the same tftpboot folder. Client host: bench/http/load.ts starts all ${count} GETs at once (one
connection each) and reads every body to the end; wall time is first request to last byte. One warm-up round
each, then ${rounds} rounds alternating which server goes first.

| server | median wall | best wall | rounds (ms) | throughput (median) | failures | peak RSS |
|---|---|---|---|---|---|---|
| appliance (express 5, tree.open streams) | ${median(a).toFixed(0)} ms | ${best(a).toFixed(0)} ms | ${a.map((x) => x.toFixed(0)).join(', ')} | ${(mib / (median(a) / 1000)).toFixed(0)} MiB/s | ${fails('appliance')} | ${(appRss / 1024).toFixed(1)} MiB |
| nginx 2 workers, sendfile | ${median(n).toFixed(0)} ms | ${best(n).toFixed(0)} ms | ${n.map((x) => x.toFixed(0)).join(', ')} | ${(mib / (median(n) / 1000)).toFixed(0)} MiB/s | ${fails('nginx')} | ${(nginxRss / 1024).toFixed(1)} MiB (master + workers) |

Appliance RSS when idle, before the first download: ${(appIdleRss / 1024).toFixed(1)} MiB (VmHWM until then
${(appIdleHwm / 1024).toFixed(1)} MiB, the start-up's own peak).

Server CPU per round (s): appliance ${cpuRounds('appliance')}; nginx ${cpuRounds('nginx')}. Per GiB served:
appliance ${cpuPerGiB('appliance').toFixed(2)} CPU-s, nginx ${cpuPerGiB('nginx').toFixed(2)} CPU-s (${(cpuPerGiB('appliance') / cpuPerGiB('nginx')).toFixed(2)}×).

**Ratio appliance / nginx (median wall): ${ratio.toFixed(2)}×** (goal ≤ 2×). Best-to-best: ${(best(a) / best(n)).toFixed(2)}×.
Transfers the appliance logged during the run: ${transfers.all}, ${transfers.ok} of them ok (one per download, ${(rounds + 1) * count + 1} expected).
`;
  process.stdout.write(report);
  await app.stop();
} finally {
  // the master must stop its workers itself: a SIGKILL from lab.destroy() would orphan them
  const ng = nginx;
  if (ng && ng.exitCode === null && ng.signalCode === null) {
    ng.kill('SIGTERM');
    await waitFor(
      () => ng.exitCode !== null || ng.signalCode !== null,
      5_000,
      'nginx exit',
    ).catch(() => undefined);
  }
  await lab.destroy();
  await rm(dir, { recursive: true, force: true });
}
if (report && process.argv.includes('--write')) {
  // Notes written by hand below the generated part (from the first "## " heading on) are kept.
  const file = join(REPO, 'bench/results/http.md');
  const old = await readFile(file, 'utf8').catch(() => '');
  const notes = old.indexOf('\n## ');
  await writeFile(file, notes < 0 ? report : report + old.slice(notes));
}
