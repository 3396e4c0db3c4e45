/**
 * Profiling helper for the appliance's DHCP path: the appliance as the benchmark starts it (`appliance run`,
 * servers.ts), one perfdhcp run at a fixed rate (perfdhcp.ts), then SIGTERM so the profilers write their
 * reports into --out-dir. Prints the run's line (drops, delays, server and perfdhcp CPU, Udp counters).
 *   node bench/dhcp/profile.ts [--rate 1000] [--duration 5] [--checkout .] [--out-dir /tmp/dhcp-prof]
 *     [--cpu-prof] [--perf] [--strace] [--callgrind] [--node-args '--trace-gc'] [--log info|warn]
 *     [--perfdhcp-args '-g single']
 * --perf samples the appliance's CPU time (perf record -e cpu-clock -g, kernel included; JS frames named through
 * node's --perf-basic-prof map) while perfdhcp runs: unlike --cpu-prof, whose samples are wall time of the
 * main thread, it shows where CPU goes when the machine is shared.
 * --callgrind counts instructions (valgrind --tool=callgrind, noise-free on a shared machine; slow: use a low
 * rate); its total over the run divided by the ACKs is the instructions per DORA exchange.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createLab, waitFor } from '../../test/lib/netns.ts';
import { arg, flag } from '../lib/args.ts';
import { perfdhcp } from './perfdhcp.ts';
import { stepLine } from './report.ts';
import { appliance, NET } from './servers.ts';

const RATE = Number(arg('rate', '1000'));
const DURATION = Number(arg('duration', '5'));
const OUT_DIR = resolve(arg('out-dir', '/tmp/dhcp-prof'));
const CHECKOUT = resolve(
  arg('checkout', resolve(import.meta.dirname, '../..')),
);

mkdirSync(OUT_DIR, { recursive: true });
const wrap = flag('strace')
  ? ['strace', '-c', '-f', '-o', join(OUT_DIR, 'strace.txt')]
  : flag('callgrind')
    ? [
        'valgrind',
        '--tool=callgrind',
        '--trace-children=yes',
        `--callgrind-out-file=${OUT_DIR}/callgrind.out.%p`,
      ]
    : [];
const nodeArgs = [
  ...arg('node-args', '').split(' ').filter(Boolean),
  ...(flag('cpu-prof') ? ['--cpu-prof', `--cpu-prof-dir=${OUT_DIR}`] : []),
  ...(flag('callgrind') || flag('perf') ? ['--perf-basic-prof'] : []),
];
const lab = await createLab({
  prefix: 'dhcpp',
  hosts: ['srv', 'cli'],
  subnet: NET,
});
try {
  const dir = mkdtempSync(join(tmpdir(), 'dhcp-prof-'));
  const srv = await appliance(lab, 'appliance', CHECKOUT, {
    wrap,
    nodeArgs,
    log: arg('log', 'info') === 'warn' ? 'warn' : 'info',
  }).start(dir);
  const perf = flag('perf')
    ? spawn(
        'perf',
        [
          'record',
          '-e',
          'cpu-clock',
          '-g',
          '-o',
          join(OUT_DIR, 'perf.data'),
          '-p',
          String(srv.pid),
        ],
        { stdio: 'ignore' },
      )
    : undefined;
  // Under strace or valgrind the spawned PID is the tool's: the server CPU printed is then the tool's own.
  const r = await perfdhcp(lab, {
    rate: RATE,
    durationS: DURATION,
    exitWaitS: 0,
    server: srv.pid,
    extra: arg('perfdhcp-args', '').split(' ').filter(Boolean),
  });
  process.stdout.write(
    `${stepLine('appliance', { ...r, hwmKb: undefined })}\n`,
  );
  if (perf) {
    perf.kill('SIGINT');
    await new Promise((done) => perf.once('exit', done));
  }
  // SIGTERM to node, so it writes --cpu-prof; under a tool, to the tool's child (node).
  const kids = wrap.length
    ? readFileSync(`/proc/${srv.pid}/task/${srv.pid}/children`, 'utf8')
        .trim()
        .split(/\s+/)
        .filter(Boolean)
        .map(Number)
    : [srv.pid!];
  for (const k of kids) process.kill(k, 'SIGTERM');
  await waitFor(
    () => srv.exitCode !== null || srv.signalCode !== null,
    120_000,
    'appliance exit',
  ).catch(() => srv.kill('SIGKILL'));
  process.stdout.write(
    `server log tail:\n${readFileSync(join(dir, 'server.log'), 'utf8').split('\n').slice(-3).join('\n')}\n`,
  );
  process.stdout.write(
    `reports in ${OUT_DIR}: ${readdirSync(OUT_DIR).join(', ')}\n`,
  );
} finally {
  await lab.destroy();
}
