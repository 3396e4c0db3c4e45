/**
 * HTTP benchmark: 100 concurrent downloads of a 4 MiB image from the appliance's HTTP service and from nginx
 * (nginx-light, sendfile on, 2 workers), same lab, same loader, same run, rounds alternating between them.
 *
 *   node bench/http/run.ts [--rounds 5] [--count 100] [--write]
 *
 * Needs root (network namespaces), nginx and curl. Prints a markdown report; --write also saves it to
 * bench/results/http.md. Figures: wall time from the first request to the last byte (median and best of the
 * rounds, after one warm-up round each), the ratio appliance/nginx, failures, and peak RSS (VmHWM) of the
 * appliance process and of nginx (master + workers).
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
  launch,
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
import { numArg } from '../lib/args.ts';

const rounds = numArg('rounds', 5);
const count = numArg('count', 100);
const SIZE = 4 * 1024 * 1024;
const NGINX_PORT = 8080;

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
try {
  const app = await launch(lab, join(dir, 'appliance.yaml'));
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
  const appIdleRss = await readFile(
    `/proc/${app.child.pid}/status`,
    'utf8',
  ).then((t) => Number(/VmRSS:\s+(\d+)/.exec(t)?.[1] ?? 0));
  const load = async (who: 'appliance' | 'nginx'): Promise<Run> => {
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
    return JSON.parse(r.stdout) as Run;
  };
  await load('appliance');
  await load('nginx');
  for (let i = 0; i < rounds; i++) {
    const order: ('appliance' | 'nginx')[] =
      i % 2 === 0 ? ['appliance', 'nginx'] : ['nginx', 'appliance'];
    for (const who of order) results[who].push(await load(who));
  }
  const appRss = await vmHwmKiB(app.child.pid!);
  let nginxRss = 0;
  for (const p of [nginx.pid!, ...(await childrenOf(nginx.pid!))])
    nginxRss += await vmHwmKiB(p);
  const transfers = app.events.length;

  const median = (xs: number[]): number =>
    [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const best = (xs: number[]): number => Math.min(...xs);
  const a = results.appliance.map((r) => r.wallMs);
  const n = results.nginx.map((r) => r.wallMs);
  const fails = (w: 'appliance' | 'nginx'): number =>
    results[w].reduce((s, r) => s + r.failures, 0);
  const mib = (count * SIZE) / 1048576;
  const ratio = median(a) / median(n);
  report = `# HTTP benchmark: ${count} concurrent downloads of a 4 MiB image, appliance vs nginx

Command (from the repository root, as root): \`node bench/http/run.ts --rounds ${rounds} --count ${count} --write\`
Run: ${new Date().toISOString()}, Node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'} shared with other
work (load average at the end ${loadavg()
    .map((x) => x.toFixed(2))
    .join(' ')}; figures are noisy).

Lab: two network namespaces on a bridge (veth, MTU 1500). Server host: the appliance's HTTP service
(test/lib/service-launcher.ts http: appliance.yaml → tree → startHttpServers, info-level JSON logs) on port 80 and
nginx-light (${'`'}worker_processes 2; sendfile on; access_log off${'`'}) on port ${NGINX_PORT}, both serving the same
file from the same tftpboot folder. Client host: bench/http/load.ts starts all ${count} GETs at once (one
connection each) and reads every body to the end; wall time is first request to last byte. One warm-up round
each, then ${rounds} rounds alternating which server goes first.

| server | median wall | best wall | rounds (ms) | throughput (median) | failures | peak RSS |
|---|---|---|---|---|---|---|
| appliance (express 5, tree.open streams) | ${median(a).toFixed(0)} ms | ${best(a).toFixed(0)} ms | ${a.map((x) => x.toFixed(0)).join(', ')} | ${(mib / (median(a) / 1000)).toFixed(0)} MiB/s | ${fails('appliance')} | ${(appRss / 1024).toFixed(1)} MiB |
| nginx 2 workers, sendfile | ${median(n).toFixed(0)} ms | ${best(n).toFixed(0)} ms | ${n.map((x) => x.toFixed(0)).join(', ')} | ${(mib / (median(n) / 1000)).toFixed(0)} MiB/s | ${fails('nginx')} | ${(nginxRss / 1024).toFixed(1)} MiB (master + workers) |

Appliance RSS when idle, before the first download: ${(appIdleRss / 1024).toFixed(1)} MiB; the peak adds the
read-stream buffers of ${count} transfers in flight (the tree reads 256 KiB chunks) and garbage not yet collected.

**Ratio appliance / nginx (median wall): ${ratio.toFixed(2)}×** (goal ≤ 2×). Best-to-best: ${(best(a) / best(n)).toFixed(2)}×.
Transfer events emitted by the appliance during the run: ${transfers} (one per download, ${(rounds + 1) * count + 1} expected).
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
if (report && process.argv.includes('--write'))
  await writeFile(join(REPO, 'bench/results/http.md'), report);
