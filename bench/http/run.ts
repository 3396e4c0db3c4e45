/**
 * HTTP benchmark: 100 concurrent downloads of a 4 MiB image from the appliance's HTTP service and from nginx
 * (nginx-light, sendfile on, 2 workers), same lab, same loader, same run, rounds alternating between them.
 *
 *   node bench/http/run.ts [--rounds 5] [--count 100] [--client wire|node] [--cpu-prof DIR] [--env K=V] [--write]
 *
 * Needs root (network namespaces, cgroup v2), nginx and curl. Prints a markdown report; --write also saves it
 * to bench/results/http.md (keeping the notes below its table). Figures: wall time from the first request to
 * the last byte (median and best of the rounds, after one warm-up round each), the ratio appliance/nginx,
 * failures, peak RSS (VmHWM) of the appliance process and of nginx (master + workers), and per round the CPU
 * of each server and of the load generator (one process, bench/http/load.ts), exact from cgroup v2 cpu.stat
 * (bench/lib/cpu-groups.ts), with the machine's busy time and the load average: a wall ratio counts only if
 * the load generator costs less CPU than the server it loads. The appliance is started as users start it
 * (`appliance run`, bench/lib/appliance-run.ts: every service the file enables, its own V8 flags); --cpu-prof
 * writes its CPU profile (node --cpu-prof) into DIR; --env sets one environment variable for it alone.
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
import { loadavg, tmpdir } from 'node:os';
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
import { startAppliance } from '../lib/appliance-run.ts';
import { arg, numArg } from '../lib/args.ts';
import { createCpuGroups } from '../lib/cpu-groups.ts';
import { machineCpu, machineDelta } from '../lib/machine-cpu.ts';
import { startLoadClient } from './load-client.ts';
import { type Round, renderReport, type Server } from './report.ts';

const rounds = numArg('rounds', 5);
const count = numArg('count', 100);
const client = arg('client', 'wire');
const cpuProf = arg('cpu-prof', '');
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
/** CPU seconds (user + system) of one thread, from /proc/PID/task/TID/stat (10 ms ticks). */
async function threadCpuSeconds(pid: number, tid: number): Promise<number> {
  const t = await readFile(`/proc/${pid}/task/${tid}/stat`, 'utf8').catch(
    () => '',
  );
  const f = t.slice(t.lastIndexOf(') ') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) / 100;
}
async function childrenOf(pid: number): Promise<number[]> {
  const t = await readFile(`/proc/${pid}/task/${pid}/children`, 'utf8').catch(
    () => '',
  );
  return t.trim().split(/\s+/).filter(Boolean).map(Number);
}

const results: Record<Server, Round[]> = { appliance: [], nginx: [] };
const lab = await createLab({
  prefix: 'http',
  hosts: ['srv', 'cli'],
  subnet: SUBNET,
});
let report = '';
const cleanup: (() => unknown)[] = [];
let nginx: ChildProcess | undefined;
const loadBefore = loadavg();
try {
  // --cpu-prof and --env K=V reach the appliance only: its env is copied from ours at the spawn
  const appEnv: Record<string, string> = {};
  if (cpuProf) appEnv.NODE_OPTIONS = `--cpu-prof --cpu-prof-dir=${cpuProf}`;
  const [envKey, ...envValue] = arg('env', '').split('=');
  if (envKey) appEnv[envKey] = envValue.join('=');
  Object.assign(process.env, appEnv);
  const app = await startAppliance(lab, 'srv', join(dir, 'appliance.yaml'));
  for (const k of Object.keys(appEnv)) delete process.env[k];
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
  const groups = createCpuGroups('http-bench', ['appliance', 'nginx', 'cli']);
  cleanup.push(() => groups.destroy());
  groups.join('appliance', app.child.pid!);
  for (const p of nginxPids) groups.join('nginx', p);
  const loader = startLoadClient(
    lab.hosts.cli!.ns,
    groups.procsFile('cli'),
    client,
  );
  cleanup.push(() => loader.stop());
  // the appliance's main thread (JS and every socket write): saturated when its CPU ≈ the round's wall
  const mainThread = (): Promise<number> =>
    threadCpuSeconds(app.child.pid!, app.child.pid!);
  const load = async (who: Server): Promise<Round> => {
    const t0 = await mainThread();
    const s0 = groups.read(who);
    const c0 = groups.read('cli');
    const m0 = machineCpu();
    const r = await loader.round(urls[who], count, SIZE);
    const m = machineDelta(m0, machineCpu());
    const s1 = groups.read(who);
    return {
      ...r,
      cpuUs: s1.usageUs - s0.usageUs,
      userUs: s1.userUs - s0.userUs,
      sysUs: s1.systemUs - s0.systemUs,
      cliUs: groups.read('cli').usageUs - c0.usageUs,
      mainS: who === 'appliance' ? (await mainThread()) - t0 : Number.NaN,
      busyS: m.busyS,
      softirqS: m.softirqS,
      load1: loadavg()[0]!,
    };
  };
  await load('appliance');
  await load('nginx');
  for (let i = 0; i < rounds; i++) {
    const order: Server[] =
      i % 2 === 0 ? ['appliance', 'nginx'] : ['nginx', 'appliance'];
    for (const who of order) results[who].push(await load(who));
  }
  let nginxRss = 0;
  for (const p of nginxPids) nginxRss += await vmHwmKiB(p);
  report = renderReport({
    rounds,
    count,
    size: SIZE,
    client,
    nginxPort: NGINX_PORT,
    loadBefore,
    appCmd,
    results,
    appRssKiB: await app.status('VmHWM'),
    appIdleRssKiB: appIdleRss,
    appIdleHwmKiB: appIdleHwm,
    nginxRssKiB: nginxRss,
    transfers: app.transfers(),
  });
  process.stdout.write(report);
  await app.stop();
} finally {
  for (const c of cleanup.reverse()) await c();
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
