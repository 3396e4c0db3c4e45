/**
 * DHCP benchmark: perfdhcp (DORA, relay mode, random MACs) against the appliance, kea-dhcp4 (memfile,
 * persist on) and dnsmasq, in the same run, in namespaces created here (10.91.3.0/24; site 10.91.0.0/16).
 * For each server the rate rises step by step (fresh server and empty lease file per step) until drops
 * reach 0.1 %; the highest clean rate is the figure. Also the appliance's peak RSS (VmHWM).
 * Each step also records perfdhcp's REQUEST-ACK average / maximum delay and the kernel's UDP counters in the
 * client namespace (replies that reached perfdhcp's socket, and RcvbufErrors: replies lost because its
 * socket buffer was full), so a "drop" can be told apart: lost, late, or still in flight when perfdhcp exits.
 * --exit-wait S passes perfdhcp -W (wait S seconds after the run for replies still in flight, sending
 * nothing new), the same for every server.
 *   node bench/dhcp/run.ts [--duration 5] [--exit-wait 0] [--out bench/results/dhcp.md]
 */

import type { ChildProcess } from 'node:child_process';
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
import { createLab, type Lab, waitFor } from '../../test/lib/netns.ts';
import { arg } from '../lib/args.ts';

const DURATION = Number(arg('duration', '5'));
const EXIT_WAIT = Number(arg('exit-wait', '0'));
const OUT = arg('out', 'bench/results/dhcp.md');
const NET = '10.91.3';
const LAUNCHER = new URL('../../test/lib/dhcp-launcher.ts', import.meta.url)
  .pathname;
const sleep = (ms: number): Promise<void> =>
  new Promise((r) => setTimeout(r, ms));

interface Step {
  rate: number;
  dropsDO: number;
  dropsRA: number;
  acks: number;
  avgMs: number;
  maxMs: number;
  srvIn: number;
  srvOut: number;
  srvRcvbufErrors: number;
  cliIn: number;
  cliRcvbufErrors: number;
  rssKb?: number;
}
interface Peer {
  name: string;
  start(dir: string): Promise<ChildProcess>;
  rates: number[];
}

const kea = (dir: string): string =>
  JSON.stringify({
    Dhcp4: {
      'interfaces-config': { interfaces: ['eth0'], 'dhcp-socket-type': 'raw' },
      'lease-database': {
        type: 'memfile',
        persist: true,
        name: join(dir, 'kea-leases4.csv'),
        'lfc-interval': 0,
      },
      'valid-lifetime': 3600,
      'option-def': [{ name: 'polycom-boot', code: 160, type: 'string' }],
      'client-classes': [
        {
          name: 'polycom',
          test: 'substring(option[60].hex,0,4) == 0x0000363D',
        },
      ],
      subnet4: [
        {
          subnet: '10.91.0.0/16',
          pools: [{ pool: '10.91.16.0 - 10.91.255.254' }],
          'option-data': [
            {
              name: 'tftp-server-name',
              data: `ftp://PlcmSpIp:PlcmSpIp@${NET}.1`,
            },
            { name: 'polycom-boot', data: `ftp://PlcmSpIp:PlcmSpIp@${NET}.1` },
            { name: 'ntp-servers', data: `${NET}.1` },
            { name: 'time-offset', data: '-21600' },
          ],
        },
      ],
      loggers: [
        {
          name: 'kea-dhcp4',
          severity: 'WARN',
          output_options: [{ output: join(dir, 'kea.log') }],
        },
      ],
    },
  });

function peers(lab: Lab): Peer[] {
  const spawnLogged = (
    dir: string,
    argv: string[],
    env: Record<string, string> = {},
  ): ChildProcess => {
    const log = openSync(join(dir, 'server.log'), 'a');
    const c = lab.spawn('srv', argv, {
      stdio: ['ignore', log, log],
      env: { ...process.env, ...env },
    });
    closeSync(log);
    return c;
  };
  return [
    {
      name: 'appliance',
      rates: [1000, 2000, 3000, 4000, 5000, 6000, 7000, 8000, 10000],
      async start(dir) {
        const dataDir = join(dir, 'data');
        writeFileSync(
          join(dir, 'appliance.yaml'),
          benchYaml({ net: NET, dataDir }),
        );
        const c = spawnLogged(
          dir,
          [process.execPath, LAUNCHER, join(dir, 'appliance.yaml'), dataDir],
          { LOG_LEVEL: 'info' },
        );
        await waitFor(
          () => readFileSync(join(dir, 'server.log'), 'utf8').includes('READY'),
          15_000,
          'appliance READY',
        );
        return c;
      },
    },
    {
      name: 'kea-dhcp4',
      rates: [1000, 2000, 3000, 4000, 5000, 6000, 7000, 8000, 10000],
      async start(dir) {
        writeFileSync(join(dir, 'kea.json'), kea(dir));
        const c = spawnLogged(dir, ['kea-dhcp4', '-c', join(dir, 'kea.json')], {
          KEA_PIDFILE_DIR: dir,
          KEA_LOCKFILE_DIR: dir,
        });
        await sleep(1500);
        return c;
      },
    },
    {
      name: 'dnsmasq',
      rates: [100, 200, 300, 500, 1000, 2000],
      async start(dir) {
        const c = spawnLogged(dir, [
          'dnsmasq',
          '--no-daemon',
          '--port=0',
          '--interface=eth0',
          '--bind-interfaces',
          '--no-ping',
          '--dhcp-range=10.91.16.0,10.91.255.254,255.255.0.0,1h',
          `--dhcp-leasefile=${join(dir, 'dnsmasq.leases')}`,
          '--dhcp-lease-max=100000',
          `--dhcp-option=66,"ftp://${NET}.1"`,
          `--dhcp-option=160,"ftp://${NET}.1"`,
          '--quiet-dhcp',
          `--pid-file=${join(dir, 'dnsmasq.pid')}`,
        ]);
        await sleep(800);
        return c;
      },
    },
  ];
}

const ratio = (text: string, section: string): number => {
  const i = text.indexOf(`Statistics for: ${section}`);
  const m = i < 0 ? null : /drops ratio: ([\d.]+) %/.exec(text.slice(i));
  return m ? Number(m[1]) : 100;
};
const received = (text: string, section: string): number => {
  const i = text.indexOf(`Statistics for: ${section}`);
  const m = i < 0 ? null : /received packets: (\d+)/.exec(text.slice(i));
  return m ? Number(m[1]) : 0;
};
const delay = (text: string, section: string, which: 'avg' | 'max'): number => {
  const i = text.indexOf(`Statistics for: ${section}`);
  const m =
    i < 0
      ? null
      : new RegExp(`${which} delay: ([\\d.]+) ms`).exec(text.slice(i));
  return m ? Number(m[1]) : NaN;
};
/** Udp InDatagrams and RcvbufErrors of a namespace (/proc/net/snmp is per network namespace). */
const udpCounters = async (
  lab: Lab,
  host: string,
): Promise<{
  inDatagrams: number;
  outDatagrams: number;
  rcvbufErrors: number;
}> => {
  const lines = (await lab.exec(host, ['cat', '/proc/net/snmp'])).stdout
    .split('\n')
    .filter((l) => l.startsWith('Udp:'));
  const names = lines[0]?.split(/\s+/) ?? [];
  const vals = lines[1]?.split(/\s+/).map(Number) ?? [];
  return {
    inDatagrams: vals[names.indexOf('InDatagrams')] ?? NaN,
    outDatagrams: vals[names.indexOf('OutDatagrams')] ?? NaN,
    rcvbufErrors: vals[names.indexOf('RcvbufErrors')] ?? NaN,
  };
};
const vmHwm = (pid: number | undefined): number | undefined => {
  try {
    return Number(
      /VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1],
    );
  } catch {
    return undefined;
  }
};

const loadBefore = readFileSync('/proc/loadavg', 'utf8').trim();
const lab = await createLab({
  prefix: 'dhcpb',
  hosts: ['srv', 'cli'],
  subnet: NET,
});
const results = new Map<string, Step[]>();
const root = mkdtempSync(join(tmpdir(), 'dhcp-bench-'));
try {
  for (const peer of peers(lab)) {
    const steps: Step[] = [];
    for (const rate of peer.rates) {
      const dir = join(root, `${peer.name}-${rate}`);
      mkdirSync(dir, { recursive: true });
      const srv = await peer.start(dir);
      const before = await udpCounters(lab, 'cli');
      const srvBefore = await udpCounters(lab, 'srv');
      const r = await lab.exec(
        'cli',
        [
          'perfdhcp',
          '-4',
          '-l',
          'eth0',
          '-r',
          String(rate),
          '-p',
          String(DURATION),
          '-R',
          '1000000',
          ...(EXIT_WAIT > 0 ? ['-W', String(Math.round(EXIT_WAIT * 1e6))] : []),
        ],
        { timeoutMs: (DURATION + EXIT_WAIT + 30) * 1000, allowFail: true },
      );
      const after = await udpCounters(lab, 'cli');
      const srvAfter = await udpCounters(lab, 'srv');
      const step: Step = {
        rate,
        dropsDO: ratio(r.stdout, 'DISCOVER-OFFER'),
        dropsRA: ratio(r.stdout, 'REQUEST-ACK'),
        acks: received(r.stdout, 'REQUEST-ACK'),
        avgMs: delay(r.stdout, 'REQUEST-ACK', 'avg'),
        maxMs: delay(r.stdout, 'REQUEST-ACK', 'max'),
        srvIn: srvAfter.inDatagrams - srvBefore.inDatagrams,
        srvOut: srvAfter.outDatagrams - srvBefore.outDatagrams,
        srvRcvbufErrors: srvAfter.rcvbufErrors - srvBefore.rcvbufErrors,
        cliIn: after.inDatagrams - before.inDatagrams,
        cliRcvbufErrors: after.rcvbufErrors - before.rcvbufErrors,
      };
      if (peer.name === 'appliance') step.rssKb = vmHwm(srv.pid);
      if (srv.pid) {
        try {
          process.kill(srv.pid, 'SIGKILL');
        } catch {
          /* gone */
        }
      }
      await waitFor(
        () => srv.exitCode !== null || srv.signalCode !== null,
        5000,
        `${peer.name} stopped`,
      ).catch(() => undefined);
      steps.push(step);
      process.stderr.write(
        `${peer.name} rate ${rate}: drops ${step.dropsDO}% / ${step.dropsRA}%, ACKs ${step.acks}, ACK delay avg ${step.avgMs} max ${step.maxMs} ms, server in/out ${step.srvIn}/${step.srvOut} (full-buffer losses ${step.srvRcvbufErrors}), replies reaching the client's socket ${step.cliIn} (full-buffer losses ${step.cliRcvbufErrors})${step.rssKb ? `, RSS ${step.rssKb} kB` : ''}\n`,
      );
      if (step.dropsDO >= 0.1 || step.dropsRA >= 0.1) break;
    }
    results.set(peer.name, steps);
  }
} finally {
  await lab.destroy();
}
const loadAfter = readFileSync('/proc/loadavg', 'utf8').trim();

const best = (name: string): Step | undefined =>
  results
    .get(name)
    ?.filter((s) => s.dropsDO < 0.1 && s.dropsRA < 0.1)
    .at(-1);
const keaBest = best('kea-dhcp4')?.rate;
const lines = [
  '# DHCP benchmark: perfdhcp DORA against the appliance, Kea and dnsmasq (same run)',
  '',
  `Command: \`node bench/dhcp/run.ts --duration ${DURATION}${EXIT_WAIT > 0 ? ` --exit-wait ${EXIT_WAIT}` : ''}\` (as root; run ${new Date().toISOString()}, ${process.env.BENCH_HOST ?? 'this 2-core machine'}).`,
  `perfdhcp \`-4 -l eth0 -r RATE -p ${DURATION} -R 1000000${EXIT_WAIT > 0 ? ` -W ${Math.round(EXIT_WAIT * 1e6)}` : ''}\` (relay mode, random MACs) from a client namespace; every server`,
  'persists leases (appliance: journal with fdatasync group commit before each ACK; Kea: memfile persist, lfc off;',
  'dnsmasq: lease file), fresh server and empty lease store per step. Figure: highest rate with < 0.1 % drops in both',
  'DISCOVER-OFFER and REQUEST-ACK.',
  '',
  `/proc/loadavg before: \`${loadBefore}\`; after: \`${loadAfter}\` (2 cores, shared).`,
  '',
  '| server | highest clean DORA rate (/s) | ratio to Kea | steps (rate: drops DO/RA %, ACK delay avg/max ms) |',
  '|---|---|---|---|',
];
for (const [name, steps] of results) {
  const b = best(name)?.rate;
  lines.push(
    `| ${name} | ${b ?? 'none'} | ${b && keaBest ? `${(b / keaBest).toFixed(2)}×` : '-'} | ${steps.map((s) => `${s.rate}: ${s.dropsDO}/${s.dropsRA}, ${s.avgMs}/${s.maxMs}`).join('; ')} |`,
  );
}
const rss = Math.max(
  ...(results.get('appliance') ?? []).map((s) => s.rssKb ?? 0),
);
lines.push(
  '',
  `Appliance peak RSS (VmHWM, largest over its steps): ${(rss / 1024).toFixed(1)} MiB.`,
  '',
  'Per step (kernel Udp counters of each namespace: server in/out = datagrams its namespace received/sent, replies reaching the client socket = client InDatagrams, full-buffer losses = RcvbufErrors):',
  '',
  '```',
);
for (const [name, steps] of results) {
  for (const s of steps)
    lines.push(
      `${name} rate ${s.rate}: drops ${s.dropsDO}% / ${s.dropsRA}%, ACKs ${s.acks}, ACK delay avg ${s.avgMs} max ${s.maxMs} ms, server in/out ${s.srvIn}/${s.srvOut} (full-buffer losses ${s.srvRcvbufErrors}), replies reaching the client socket ${s.cliIn}, full-buffer losses ${s.cliRcvbufErrors}${s.rssKb ? `, RSS ${s.rssKb} kB` : ''}`,
    );
}
lines.push('```', '');
writeFileSync(OUT, lines.join('\n'));
process.stdout.write(lines.join('\n'));
