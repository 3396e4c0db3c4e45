/**
 * FTP benchmark: 100 concurrent passive-mode downloads of a 4 MiB image from the appliance's FTP service
 * (ftp-srv, patched, over the tree) and from Debian's vsftpd, same lab, same client command, same run,
 * rounds alternating between them.
 *
 *   node bench/ftp/run.ts [--rounds 5] [--count 100] [--write]
 *
 * Needs root (network namespaces), vsftpd and curl. The client starts COUNT curl processes at once (xargs -P,
 * passive/EPSV, binary), each writing to /dev/null and reporting its size and exit code. (--curl-parallel uses
 * one curl process with --parallel instead; vsftpd then loses about a quarter of the downloads to 60 s
 * data-connection timeouts, so it is not the default.) Wall time = that curl process, start to exit. Peak RSS: VmHWM
 * of the appliance process; for vsftpd (one process per session) the largest sum of PSS (shared pages split
 * between processes) over the master and its sessions, sampled every 20 ms. The appliance is started as users
 * start it (`appliance run`, bench/lib/appliance-run.ts: every service the file enables, its own V8 flags).
 * Prints a markdown report; --write saves it to bench/results/ftp.md (keeping the notes below its table).
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
  canRunLab,
  createLab,
  type Lab,
  missingCommands,
  waitFor,
} from '../../test/lib/netns.ts';
import {
  cpuSeconds,
  REPO,
  type RunningAppliance,
  startAppliance,
} from '../lib/appliance-run.ts';
import { numArg } from '../lib/args.ts';
import { createCpuGroups } from '../lib/cpu-groups.ts';
import { shellIn } from '../lib/shell-in.ts';

const rounds = numArg('rounds', 5);
const count = numArg('count', 100);
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

function dummyBytes(size: number, seed: number): Buffer {
  const buf = Buffer.alloc(size);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < size / 4; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    buf.writeUInt32LE(x, i * 4);
  }
  return buf;
}

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

interface Round {
  ms: number;
  failures: number;
  bytes: number;
  /** CPU seconds the server used during the round (vsftpd: the master and its reaped sessions). */
  cpuS?: number;
  /** CPU of the curl processes (their cgroup), one-process-per-download mode only. */
  cliS?: number;
}

/** Default: one curl process per download (like 100 phones). --curl-parallel: one curl running all of them. */
const procs = !process.argv.includes('--curl-parallel');

async function runClients(lab: Lab, url: string): Promise<Round> {
  if (procs) {
    const t0 = performance.now();
    // In the clients' cgroup (their CPU is the load generator's); `true`: failed downloads are tallied, not thrown.
    const stdout = await shellIn(
      lab.hosts.cli!.ns,
      groups.procsFile('cli'),
      `seq ${count} | xargs -P ${count} -I{} curl -s --ftp-pasv --max-time 120 -o /dev/null -w '%{size_download} %{exitcode}\\n' '${url}'; true`,
      180_000,
    );
    return tally(performance.now() - t0, stdout, '', url);
  }
  const args = [
    'curl',
    '-s',
    '--ftp-pasv',
    '--parallel',
    '--parallel-immediate',
    '--parallel-max',
    String(count),
    '--max-time',
    '120',
    '-w',
    '%{size_download} %{exitcode}\\n',
  ];
  for (let i = 0; i < count; i++) args.push('-o', '/dev/null', url);
  const t0 = performance.now();
  const r = await lab.exec('cli', args, {
    allowFail: true,
    timeoutMs: 180_000,
  });
  return tally(performance.now() - t0, r.stdout, r.stderr, url);
}

function tally(ms: number, stdout: string, stderr: string, url: string): Round {
  const r = { stdout, stderr };
  const lines = r.stdout.trim().split('\n').filter(Boolean);
  let failures = count - lines.length;
  let bytes = 0;
  for (const l of lines) {
    const [size, code] = l.split(' ').map(Number);
    bytes += size ?? 0;
    if (size !== SIZE || code !== 0) failures++;
  }
  if (failures)
    process.stderr.write(
      `${url}: ${failures} failed; exit codes ${JSON.stringify(
        Object.entries(
          lines.reduce<Record<string, number>>((h, l) => {
            const c = l.split(' ')[1]!;
            h[c] = (h[c] ?? 0) + 1;
            return h;
          }, {}),
        ),
      )} ${r.stderr.slice(-300)}\n`,
    );
  return { ms, failures, bytes };
}

// The load generator's CPU: the client shell and every curl it starts, in one cgroup (bench/lib/cpu-groups.ts).
const groups = createCpuGroups('ftp-bench', ['cli']);
const lab = await createLab({
  prefix: 'ftpb',
  hosts: ['srv', 'cli'],
  subnet: SUBNET,
});
let app: RunningAppliance | undefined;
let vs: ChildProcess | undefined;
const loadBefore = loadavg();
let appCmd = '';
const result = {
  app: [] as Round[],
  vs: [] as Round[],
  appPeak: 0,
  appIdle: 0,
  appIdleHwm: 0,
  vsPeak: 0,
  events: { all: 0, ok: 0 },
};
try {
  app = await startAppliance(lab, 'srv', join(dir, 'appliance.yaml'));
  appCmd = await app.cmdline();
  vs = lab.spawn('srv', ['vsftpd', vsConf]);
  let vsErr = '';
  vs.stderr!.on('data', (d: Buffer) => {
    vsErr += d.toString();
  });
  vs.stdout!.on('data', (d: Buffer) => {
    vsErr += d.toString();
  });
  await waitFor(
    async () =>
      (
        await lab.exec(
          'cli',
          [
            'curl',
            '-s',
            '-o',
            '/dev/null',
            `ftp://${SRV}:${VSFTPD_PORT}/${IMAGE}`,
          ],
          { allowFail: true },
        )
      ).code === 0 || vs!.exitCode !== null,
    10_000,
    'vsftpd',
  );
  if (vs.exitCode !== null) throw new Error(`vsftpd exited: ${vsErr}`);
  result.appIdle = await app.status('VmRSS');
  result.appIdleHwm = await app.status('VmHWM');

  const appUrl = `ftp://PlcmSpIp:PlcmSpIp@${SRV}/hq/${IMAGE}`;
  const vsUrl = `ftp://${SRV}:${VSFTPD_PORT}/${IMAGE}`;
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      result.vsPeak = Math.max(result.vsPeak, await treePss(vs!.pid!));
      await new Promise((r) => setTimeout(r, 20));
    }
  })();
  await runClients(lab, appUrl); // warm-up
  await runClients(lab, vsUrl);
  for (let i = 0; i < rounds; i++) {
    const order: ['app' | 'vs', string][] =
      i % 2 === 0
        ? [
            ['app', appUrl],
            ['vs', vsUrl],
          ]
        : [
            ['vs', vsUrl],
            ['app', appUrl],
          ];
    for (const [who, url] of order) {
      const pid = who === 'app' ? app.child.pid! : vs.pid!;
      const cpu0 = await cpuSeconds(pid, true);
      const cli0 = groups.read('cli').usageUs;
      const r = await runClients(lab, url);
      result[who].push({
        ...r,
        cpuS: (await cpuSeconds(pid, true)) - cpu0,
        ...(procs ? { cliS: (groups.read('cli').usageUs - cli0) / 1e6 } : {}),
      });
    }
  }
  sampling = false;
  await sampler;
  result.appPeak = await app.status('VmHWM');
  result.events = app.transfers();
} finally {
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

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
};
const mib = (kib: number): string => `${(kib / 1024).toFixed(1)} MiB`;
const row = (name: string, rs: Round[], peak: string): string => {
  const ms = rs.map((r) => r.ms);
  const m = median(ms);
  return `| ${name} | ${m.toFixed(0)} ms | ${Math.min(...ms).toFixed(0)} ms | ${ms.map((x) => x.toFixed(0)).join(', ')} | ${((count * SIZE) / 1048576 / (m / 1000)).toFixed(0)} MiB/s | ${rs.reduce((a, r) => a + r.failures, 0)} | ${peak} |`;
};
const mApp = median(result.app.map((r) => r.ms));
// CPU seconds per GiB served, over the timed rounds: a figure the machine's other load hardly moves
const cpuPerGiB = (rs: Round[]): number =>
  rs.reduce((s, r) => s + (r.cpuS ?? 0), 0) /
  ((rs.length * count * SIZE) / 2 ** 30);
const cliPerGiB = (rs: Round[]): number =>
  rs.reduce((s, r) => s + (r.cliS ?? Number.NaN), 0) /
  ((rs.length * count * SIZE) / 2 ** 30);
const cpuRounds = (rs: Round[]): string =>
  rs.map((r) => (r.cpuS ?? 0).toFixed(2)).join(', ');
const mVs = median(result.vs.map((r) => r.ms));
const cmd = `node bench/ftp/run.ts --rounds ${rounds} --count ${count}${procs ? '' : ' --curl-parallel'}${process.argv.includes('--write') ? ' --write' : ''}`;
const report = `# FTP benchmark: ${count} concurrent downloads of a 4 MiB image, appliance vs vsftpd

Command (from the repository root, as root): \`${cmd}\`
Run: ${new Date().toISOString()}, Node ${process.version}, ${cpus().length} × ${cpus()[0]?.model.trim().split(' ').slice(0, 2).join(' ')} shared with other
work (load average before ${loadBefore.map((x) => x.toFixed(2)).join(' ')}, at the end ${loadavg()
  .map((x) => x.toFixed(2))
  .join(' ')}; wall-clock figures on a loaded machine are noisy, VmHWM is not).

Lab: two network namespaces on a bridge (veth, MTU 1500). Server host: the appliance as users start it,
\`appliance run --config appliance.yaml\` (bench/lib/appliance-run.ts; every service of the file runs: DHCP,
TFTP, FTP on port 21, HTTP, admin, NTP, syslog; ftp-srv 4.6.3 + patches/; info-level JSON logs, one transfer
line per download; the process as re-executed:
\`${appCmd
  .replace(/\S*\/bin\/node /, 'node ')
  .replace(/ \S*\/bin\/appliance\.js/, ' bin/appliance.js')
  .replace(
    /--config \S*/,
    '--config appliance.yaml',
  )}\`), logging in as PlcmSpIp, and Debian's vsftpd (anonymous,
\`use_sendfile=YES\`, own config file) on port ${VSFTPD_PORT}, both serving the same file from the same folder.
Client host: ${procs ? `${count} curl processes started at once (\`seq ${count} | xargs -P ${count} curl …\`)` : `one curl process running all ${count} downloads (\`--parallel --parallel-max ${count}\`)`},
passive/EPSV, binary, to /dev/null; wall time is from the start to the exit of the last one, and a download
counts as failed unless curl reports exit 0 and exactly ${SIZE} bytes. One warm-up round each, then
${rounds} rounds alternating which server goes first.

| server | median wall | best wall | rounds (ms) | throughput (median) | failures | peak RSS |
|---|---|---|---|---|---|---|
${row('appliance (ftp-srv over the tree)', result.app, `${mib(result.appPeak)} (VmHWM)`)}
${row('vsftpd 3.0, sendfile', result.vs, `${mib(result.vsPeak)} (PSS of master + sessions, sampled every 20 ms)`)}

Appliance RSS when idle, before the first download: ${mib(result.appIdle)} (VmHWM until then ${mib(result.appIdleHwm)}).

Server CPU per round (s): appliance ${cpuRounds(result.app)}; vsftpd ${cpuRounds(result.vs)}. Per GiB served:
appliance ${cpuPerGiB(result.app).toFixed(2)} CPU-s, vsftpd ${cpuPerGiB(result.vs).toFixed(2)} CPU-s (${(cpuPerGiB(result.app) / cpuPerGiB(result.vs)).toFixed(2)}×).
Load generator (the curl processes, their cgroup) per GiB: ${cliPerGiB(result.app).toFixed(2)} CPU-s on the appliance's rounds, ${cliPerGiB(result.vs).toFixed(2)} on vsftpd's (${cliPerGiB(result.app) < cpuPerGiB(result.app) && cliPerGiB(result.vs) < cpuPerGiB(result.vs) ? 'cheaper than both servers: the wall ratio counts' : 'not cheaper than both servers: the wall ratio measures the clients too; CPU per GiB does not depend on them'}).

**Ratio appliance / vsftpd (median wall): ${(mApp / mVs).toFixed(2)}×** (goal ≤ 2×, zero failures).
Transfers the appliance logged during the run: ${result.events.all}, ${result.events.ok} of them ok (${(rounds + 1) * count} downloads).

With one curl process running all downloads (\`--curl-parallel\`), vsftpd lost 23 to 68 of 100 downloads to
60 s data-connection timeouts (curl exit 56) in trial runs while the appliance lost none; the table uses one
process per download, as phones are.
`;
process.stdout.write(report);
if (process.argv.includes('--write')) {
  // Notes written by hand below the generated part (from the first "## " heading on) are kept.
  const file = join(REPO, 'bench/results/ftp.md');
  const old = await readFile(file, 'utf8').catch(() => '');
  const notes = old.indexOf('\n## ');
  await mkdir(join(REPO, 'bench/results'), { recursive: true });
  await writeFile(file, notes < 0 ? report : report + old.slice(notes));
}
