/**
 * Profiling helper for the appliance's DHCP server: one perfdhcp run at a fixed rate against the launcher,
 * with optional `node --cpu-prof` (profile written to --out-dir) and `strace -c -f` on the server. Prints
 * perfdhcp's statistics (drops, delays) so latency and throughput can be told apart.
 *   node bench/dhcp/profile.ts [--rate 1000] [--duration 5] [--cpu-prof] [--strace] [--node-args '--trace-gc'] [--out-dir /tmp/dhcp-prof]
 */
import {
  closeSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { benchYaml } from '../../test/lib/dhcp-fixture.ts';
import { createLab, waitFor } from '../../test/lib/netns.ts';
import { arg, flag } from '../lib/args.ts';

const RATE = arg('rate', '1000');
const DURATION = arg('duration', '5');
const OUT_DIR = arg('out-dir', '/tmp/dhcp-prof');
const NET = '10.91.4';
const LAUNCHER = new URL('../../test/lib/dhcp-launcher.ts', import.meta.url)
  .pathname;

mkdirSync(OUT_DIR, { recursive: true });
const lab = await createLab({
  prefix: 'dhcpp',
  hosts: ['srv', 'cli'],
  subnet: NET,
});
const dir = mkdtempSync(join(tmpdir(), 'dhcp-prof-'));
try {
  const dataDir = join(dir, 'data');
  writeFileSync(join(dir, 'appliance.yaml'), benchYaml({ net: NET, dataDir }));
  const extra = arg('node-args', '').split(' ').filter(Boolean);
  const node = [
    process.execPath,
    ...extra,
    ...(flag('cpu-prof') ? ['--cpu-prof', `--cpu-prof-dir=${OUT_DIR}`] : []),
    LAUNCHER,
    join(dir, 'appliance.yaml'),
    dataDir,
  ];
  const argv = flag('strace')
    ? ['strace', '-c', '-f', '-o', join(OUT_DIR, 'strace.txt'), ...node]
    : node;
  const log = openSync(join(dir, 'server.log'), 'a');
  const srv = lab.spawn('srv', argv, {
    stdio: ['ignore', log, log],
    env: { ...process.env, LOG_LEVEL: process.env.LOG_LEVEL ?? 'info' },
  });
  closeSync(log);
  await waitFor(
    () => readFileSync(join(dir, 'server.log'), 'utf8').includes('READY'),
    20_000,
    'appliance READY',
  );
  const r = await lab.exec(
    'cli',
    [
      'perfdhcp',
      '-4',
      '-l',
      'eth0',
      '-r',
      RATE,
      '-p',
      DURATION,
      '-R',
      '1000000',
    ],
    { timeoutMs: 60_000, allowFail: true },
  );
  process.stdout.write(r.stdout.slice(r.stdout.indexOf('***')));
  // Kernel UDP counters in both namespaces: RcvbufErrors tells a full socket buffer (a burst) from a lost reply.
  for (const h of ['srv', 'cli']) {
    const snmp = (await lab.exec(h, ['cat', '/proc/net/snmp'])).stdout
      .split('\n')
      .filter((l) => l.startsWith('Udp:'));
    process.stdout.write(`${h} ${snmp.join(' | ')}\n`);
  }
  // SIGTERM: the launcher closes and exits, so --cpu-prof and strace write their reports.
  const victim = flag('strace') ? undefined : srv.pid;
  if (victim) process.kill(victim, 'SIGTERM');
  else if (srv.pid) {
    // strace -f: signal the traced node child, strace then exits with it.
    const kids = readFileSync(
      `/proc/${srv.pid}/task/${srv.pid}/children`,
      'utf8',
    )
      .trim()
      .split(/\s+/)
      .filter(Boolean);
    for (const k of kids) process.kill(Number(k), 'SIGTERM');
  }
  await waitFor(
    () => srv.exitCode !== null || srv.signalCode !== null,
    15_000,
    'server exit',
  ).catch(() => undefined);
  process.stdout.write(
    `\nserver log tail:\n${readFileSync(join(dir, 'server.log'), 'utf8').split('\n').slice(-3).join('\n')}\n`,
  );
} finally {
  await lab.destroy();
}
