/**
 * Benchmark of phonesim's own cost: CPU seconds (user + system) of ONE process running --count concurrent
 * downloads of a --size image with phonesim's TFTP client (blksize 1468, lock-step), FTP client (passive,
 * one control connection per download) or HTTP client (keep-alive; `MODULE#node` / `MODULE#wire` picks
 * node:http or http-wire.ts), from the appliance's service in another namespace (test/lib labs).
 * CPU time, not wall time, is the figure: it is robust to other work on the machine. Each --client module
 * (default: phonesim/src/<protocol>-client.ts) runs --rounds times, alternating, so two versions of a client
 * can be compared in one lab.
 *
 *   node bench/phonesim/cpu.ts [--protocol tftp|ftp|http] [--count 100] [--size 4194304] [--rounds 3]
 *                              [--client A.ts,B.ts] [--prof DIR] [--perf FILE]
 * Needs root (network namespaces). To compare with an earlier version of a client:
 *   git show REV:phonesim/src/tftp-client.ts > phonesim/src/tftp-client.old.ts   (then delete it)
 *   node bench/phonesim/cpu.ts --client phonesim/src/tftp-client.old.ts,phonesim/src/tftp-client.ts
 * Results: bench/phonesim/results.md.
 */

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  SRV as FTP_SRV,
  SUBNET as FTP_SUBNET,
  FTP_YAML,
} from '../../test/lib/ftp-lab.ts';
import {
  SRV as HTTP_SRV,
  SUBNET as HTTP_SUBNET,
  makeApplianceDir as makeHttpDir,
} from '../../test/lib/http-fixture.ts';
import type { Lab } from '../../test/lib/netns.ts';
import {
  makeApplianceDir,
  removeDir,
  startServiceLab,
} from '../../test/lib/service-lab.ts';
import {
  createTftpLab,
  IMAGE,
  REPO,
  SRV as TFTP_SRV,
} from '../../test/lib/tftp-lab.ts';
import { arg, numArg } from '../lib/args.ts';
import { noBridgeNetfilter, PERF_RECORD } from '../storm/lab.ts';

const PROTOCOL = ((p) => (p === 'ftp' || p === 'http' ? p : 'tftp'))(
  arg('protocol', 'tftp'),
);
const COUNT = numArg('count', 100);
if (COUNT > 150)
  throw new Error('--count: at most 150 (one address each, .100 up)');
const SIZE = numArg('size', 4 * 1024 * 1024);
const ROUNDS = numArg('rounds', 3);
const CLIENTS = arg(
  'client',
  PROTOCOL === 'http'
    ? 'phonesim/src/http-client.ts#node,phonesim/src/http-client.ts#wire'
    : `phonesim/src/${PROTOCOL}-client.ts`,
).split(',');
/** Write a CPU profile of each driver process into this folder (node --cpu-prof). */
const PROF = arg('prof', '');
/** Record each driver process with `perf record` into FILE.N (one per run). */
const PERF = arg('perf', '');
let runs = 0;

async function start(): Promise<
  | {
      lab: Lab;
      srv: string;
      crc32: string;
      extra: string[];
      destroy(): Promise<void>;
    }
  | { skip: string }
> {
  if (PROTOCOL === 'tftp') {
    const l = await createTftpLab({
      imageSize: SIZE,
      cmds: [],
      quiet: true,
      hosts: ['srv', 'cli'],
      retry: '1000,8000,5',
    });
    if ('skip' in l) return l;
    return {
      lab: l.lab,
      srv: TFTP_SRV,
      crc32: l.imageCrc32,
      extra: [],
      destroy: () => l.destroy(),
    };
  }
  const app =
    PROTOCOL === 'http'
      ? await makeHttpDir({ imageSize: SIZE, https: false, clientCa: false })
      : await makeApplianceDir({
          tmpPrefix: 'phonesim-ftp-',
          yaml: FTP_YAML,
          imageSize: SIZE,
          seed: 0xf7b,
        });
  const http = PROTOCOL === 'http';
  try {
    const run = await startServiceLab({
      protocol: PROTOCOL,
      prefix: http ? 'pshttp' : 'psftp',
      subnet: http ? HTTP_SUBNET : FTP_SUBNET,
      yaml: app.yaml,
      hosts: ['srv', 'cli'],
      args: ['--quiet'],
    });
    return {
      lab: run.lab,
      srv: http ? HTTP_SRV : FTP_SRV,
      crc32: app.imageCrc32,
      extra: http
        ? []
        : ['--base', 'hq', '--user', 'PlcmSpIp', '--password', 'PlcmSpIp'],
      async destroy() {
        try {
          await run.destroy();
        } finally {
          await removeDir(app);
        }
      },
    };
  } catch (e) {
    await removeDir(app);
    throw e;
  }
}

const created = await start();
if ('skip' in created) {
  console.error(created.skip);
  process.exit(2);
}
const l = created;
// The lab's hub as the storm's (bench/storm/lab.ts): a switch without iptables hooks, unless STORM_BRIDGE_NF=1.
noBridgeNetfilter(`${l.lab.hosts.cli!.ns.split('-')[0]}-hub`);
// Each download from its own address (<subnet>.100 up), as each phone of a storm has its own: the server
// limits transfers per client address (services.tftp.maxTransfersPerHost).
const SUBNET = l.srv.split('.').slice(0, 3).join('.');
for (let i = 0; i < COUNT; i++)
  await l.lab.exec('cli', [
    'ip',
    'addr',
    'add',
    `${SUBNET}.${100 + i}/24`,
    'dev',
    'eth0',
  ]);
const stop = (): void => {
  void l.destroy().finally(() => process.exit(130));
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
try {
  const rows: string[] = [];
  for (let round = 1; round <= ROUNDS; round++) {
    for (const client of CLIENTS) {
      const r = await l.lab.exec(
        'cli',
        [
          ...(PERF ? [...PERF_RECORD, '-o', `${PERF}.${++runs}`, '--'] : []),
          process.execPath,
          ...(PERF ? ['--perf-basic-prof'] : []),
          ...(PROF ? ['--cpu-prof', '--cpu-prof-dir', PROF] : []),
          join(REPO, 'bench/phonesim/driver.ts'),
          PROTOCOL,
          l.srv,
          IMAGE,
          l.crc32,
          '--count',
          String(COUNT),
          '--source-base',
          `${SUBNET}.100`,
          '--client',
          join(REPO, client),
          ...l.extra,
        ],
        { timeoutMs: 600_000 },
      );
      const j = JSON.parse(r.stdout.trim().split('\n').pop()!) as {
        userS: number;
        systemS: number;
        cpuS: number;
        wallS: number;
        ok: number;
        failures: string[];
        retries: number;
      };
      const row = `| ${round} | ${client} | ${j.cpuS.toFixed(2)} | ${j.userS.toFixed(2)} | ${j.systemS.toFixed(2)} | ${j.wallS.toFixed(2)} | ${j.ok}/${COUNT} | ${j.retries} |`;
      rows.push(row);
      console.error(row);
      if (j.failures.length) console.error(j.failures.join('; '));
    }
  }
  console.log(
    `${PROTOCOL}: ${COUNT} × ${SIZE} B in one phonesim process; load average ${readFileSync('/proc/loadavg', 'utf8').trim()} after\n`,
  );
  console.log(
    '| round | client | CPU s | user s | system s | wall s | ok | retries |\n|---|---|---|---|---|---|---|---|',
  );
  for (const r of rows) console.log(r);
} finally {
  await l.destroy();
}
