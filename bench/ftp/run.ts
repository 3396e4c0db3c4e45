/**
 * FTP benchmark: 100 concurrent passive-mode downloads of a 4 MiB image from the appliance's FTP service
 * (ftp-srv, patched, over the tree) and from Debian's vsftpd, same lab, same load generator, same run,
 * rounds alternating between them.
 *
 *   node bench/ftp/run.ts [--rounds 5] [--count 100] [--curl | --curl-parallel] [--write]
 *
 * Needs root (network namespaces, cgroup v2), vsftpd and curl. The load generator (default): one Node process
 * for the whole run, bench/http/load.ts, whose FTP downloads (bench/http/wire-ftp-get.ts) read into one static
 * buffer and only count the bytes, so that it costs less CPU than the servers it loads and the wall ratio
 * measures them. --curl: the former client, COUNT curl processes per round (xargs -P; costlier than either
 * server); --curl-parallel: one curl process with --parallel (bench/ftp/curl-clients.ts). CPU: the appliance,
 * vsftpd (master and every session it forks) and the load generator each in a cgroup (bench/lib/cpu-groups.ts),
 * read around each round, with the machine's busy time (bench/lib/machine-cpu.ts). Peak RSS: VmHWM of the
 * appliance process; for vsftpd (one process per session) the largest sum of PSS (shared pages split between
 * processes) over the master and its sessions, sampled every 20 ms. The appliance is started as users start it
 * (`appliance run`, bench/lib/appliance-run.ts: every service the file enables, its own V8 flags).
 * Prints a markdown report (bench/ftp/report.ts); --write saves it to bench/results/ftp.md (keeping the notes
 * below its table).
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
  canRunLab,
  createLab,
  missingCommands,
  waitFor,
} from '../../test/lib/netns.ts';
import { dummyBytes } from '../../test/lib/service-lab.ts';
import { type RoundResult, startLoadClient } from '../http/load-client.ts';
import {
  REPO,
  type RunningAppliance,
  startAppliance,
} from '../lib/appliance-run.ts';
import { flag, numArg } from '../lib/args.ts';
import { createCpuGroups } from '../lib/cpu-groups.ts';
import { machineCpu, machineDelta } from '../lib/machine-cpu.ts';
import { curlRound } from './curl-clients.ts';
import {
  type ClientMode,
  type Round,
  renderReport,
  type Server,
} from './report.ts';

const rounds = numArg('rounds', 5);
const count = numArg('count', 100);
const mode: ClientMode = flag('curl-parallel')
  ? 'curl-parallel'
  : flag('curl')
    ? 'curl'
    : 'wire';
const SIZE = 4 * 1024 * 1024;
const SUBNET = '10.91.6';
const SRV = `${SUBNET}.1`;
const IMAGE = 'ucs-5.9.7/3111-46162-001.sip.ld';
const VSFTPD_PORT = 2121;

if (!canRunLab()) throw new Error('run as root (network namespaces)');
const missing = await missingCommands(['vsftpd', 'curl']);
if (missing.length)
  throw new Error(
    `missing ${missing.join(', ')} (apt-get install vsftpd curl)`,
  );

const dir = await mkdtemp(join(tmpdir(), 'ftp-bench-'));
await chmod(dir, 0o755); // vsftpd's anonymous sessions run as user ftp
await mkdir(join(dir, 'tftpboot', 'ucs-5.9.7'), { recursive: true });
await chmod(join(dir, 'tftpboot'), 0o555); // vsftpd refuses a writable anonymous root
await writeFile(join(dir, 'tftpboot', IMAGE), dummyBytes(SIZE, 42));
await chmod(join(dir, 'tftpboot', IMAGE), 0o644);
await writeFile(
  join(dir, 'appliance.yaml'),
  `appliance:
  address: ${SRV}
  interface: eth0
  tftpboot: ./tftpboot
  dataDir: ./data
  services:
    ftp: { enabled: true, port: 21, pasvMin: 40000, pasvMax: 40999 }
firmware:
  ucs597: { version: 5.9.7.4477, folder: ucs-5.9.7 }
defaults: { firmware: ucs597 }
sites:
  hq: { subnet: ${SUBNET}.0/24, pool: ${SUBNET}.100-${SUBNET}.199, bootServer: { protocol: ftp, path: hq } }
`,
);
const vsConf = join(dir, 'vsftpd.conf');
await writeFile(
  vsConf,
  `listen=YES
listen_ipv6=NO
listen_address=${SRV}
listen_port=${VSFTPD_PORT}
background=NO
anonymous_enable=YES
no_anon_password=YES
anon_root=${dir}/tftpboot
local_enable=NO
write_enable=NO
pasv_enable=YES
pasv_address=${SRV}
pasv_min_port=42000
pasv_max_port=42999
max_clients=2000
max_per_ip=2000
use_sendfile=YES
xferlog_enable=NO
seccomp_sandbox=NO
secure_chroot_dir=/var/run/vsftpd/empty
`,
);

async function childrenOf(pid: number): Promise<number[]> {
  const t = await readFile(`/proc/${pid}/task/${pid}/children`, 'utf8').catch(
    () => '',
  );
  return t.trim().split(/\s+/).filter(Boolean).map(Number);
}
/** Proportional set size (shared pages split between sharers) of a process and its descendants, KiB. */
async function treePss(pid: number): Promise<number> {
  const t = await readFile(`/proc/${pid}/smaps_rollup`, 'utf8').catch(() => '');
  let sum = Number(/^Pss:\s+(\d+)/m.exec(t)?.[1] ?? 0);
  for (const c of await childrenOf(pid)) sum += await treePss(c);
  return sum;
}

// Each server and the load generator in a cgroup of its own: exact CPU, vsftpd's sessions and every curl included
const groups = createCpuGroups('ftp-bench', ['appliance', 'vsftpd', 'cli']);
const lab = await createLab({
  prefix: 'ftpb',
  hosts: ['srv', 'cli'],
  subnet: SUBNET,
}).catch((e: unknown) => {
  groups.destroy(); // no lab, no run: the cgroup folder goes too
  throw e;
});
let app: RunningAppliance | undefined;
let vs: ChildProcess | undefined;
let loader: ReturnType<typeof startLoadClient> | undefined;
let report = '';
const loadBefore = loadavg();
try {
  app = await startAppliance(lab, 'srv', join(dir, 'appliance.yaml'));
  groups.join('appliance', app.child.pid!);
  const appCmd = await app.cmdline();
  vs = lab.spawn('srv', ['vsftpd', vsConf]);
  groups.join('vsftpd', vs.pid!); // before any session: every session is born in the group
  let vsErr = '';
  vs.stderr!.on('data', (d: Buffer) => {
    vsErr += d.toString();
  });
  vs.stdout!.on('data', (d: Buffer) => {
    vsErr += d.toString();
  });
  const urls: Record<Server, string> = {
    appliance: `ftp://PlcmSpIp:PlcmSpIp@${SRV}/hq/${IMAGE}`,
    vsftpd: `ftp://${SRV}:${VSFTPD_PORT}/${IMAGE}`,
  };
  await waitFor(
    async () =>
      (
        await lab.exec('cli', ['curl', '-s', '-o', '/dev/null', urls.vsftpd], {
          allowFail: true,
        })
      ).code === 0 || vs!.exitCode !== null,
    10_000,
    'vsftpd',
  );
  if (vs.exitCode !== null) throw new Error(`vsftpd exited: ${vsErr}`);
  const appIdleRssKiB = await app.status('VmRSS');
  const appIdleHwmKiB = await app.status('VmHWM');

  const ns = lab.hosts.cli!.ns;
  if (mode === 'wire')
    loader = startLoadClient(ns, groups.procsFile('cli'), 'wire');
  const roundOf = (url: string): Promise<RoundResult> =>
    mode === 'wire'
      ? loader!.round(url, count, SIZE)
      : curlRound(mode, ns, groups.procsFile('cli'), url, count, SIZE);
  const results: Record<Server, Round[]> = { appliance: [], vsftpd: [] };
  const load = async (who: Server): Promise<Round> => {
    const s0 = groups.read(who).usageUs;
    const c0 = groups.read('cli').usageUs;
    const m0 = machineCpu();
    const r = await roundOf(urls[who]);
    return {
      ...r,
      busyS: machineDelta(m0, machineCpu()).busyS,
      cpuUs: groups.read(who).usageUs - s0,
      cliUs: groups.read('cli').usageUs - c0,
      load1: loadavg()[0]!,
    };
  };
  let vsPeakKiB = 0;
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      vsPeakKiB = Math.max(vsPeakKiB, await treePss(vs!.pid!));
      await new Promise((r) => setTimeout(r, 20));
    }
  })();
  await load('appliance'); // warm-up
  await load('vsftpd');
  for (let i = 0; i < rounds; i++) {
    const order: Server[] =
      i % 2 === 0 ? ['appliance', 'vsftpd'] : ['vsftpd', 'appliance'];
    for (const who of order) results[who].push(await load(who));
  }
  sampling = false;
  await sampler;
  report = renderReport({
    command: `node bench/ftp/run.ts ${process.argv.slice(2).join(' ')}`.trim(),
    mode,
    rounds,
    count,
    size: SIZE,
    vsftpdPort: VSFTPD_PORT,
    loadBefore,
    appCmd,
    results,
    appPeakKiB: await app.status('VmHWM'),
    appIdleRssKiB,
    appIdleHwmKiB,
    vsPeakKiB,
    transfers: app.transfers(),
  });
  process.stdout.write(report);
} finally {
  await loader?.stop();
  await app?.stop();
  if (vs?.pid && vs.exitCode === null) {
    try {
      process.kill(vs.pid, 'SIGTERM');
    } catch {
      /* gone */
    }
    await waitFor(() => vs!.exitCode !== null, 5_000, 'vsftpd exit').catch(
      () => undefined,
    );
  }
  await lab.destroy();
  groups.destroy();
  await rm(dir, { recursive: true, force: true });
}
if (report && flag('write')) {
  // Notes written by hand below the generated part (from the first "## " heading on) are kept.
  const file = join(REPO, 'bench/results/ftp.md');
  const old = await readFile(file, 'utf8').catch(() => '');
  const notes = old.indexOf('\n## ');
  await writeFile(file, notes < 0 ? report : report + old.slice(notes));
}
