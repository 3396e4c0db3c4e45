/**
 * Fuzz benchmark for the SNTP server and the syslog receiver (issue #11): COUNT seeded mutated datagrams
 * each (default 100,000; syslog also TCP streams over --tcp connections) from a lab namespace at the
 * service in srv, with the per-source rate limit raised so every datagram reaches the codecs. Passes when
 * the service process is still alive, no handler threw, every datagram is accounted for (handled by the
 * service or dropped by the kernel's receive buffer), disk stays within the cap, and the service still
 * answers a real client (sntp / logger) afterwards. Needs root, sntp and logger.
 *
 *   node bench/ntp-syslog-fuzz/run.ts [--count 100000] [--seed 1] [--rate 20000] [--tcp 500]
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { waitFor } from '../../test/lib/netns.ts';
import {
  FUZZ_SENDER,
  startNtpSyslogLab,
} from '../../test/lib/ntp-syslog-lab.ts';
import {
  labApplianceYaml,
  makeApplianceDir,
  PHONE_MAC,
  removeDir,
} from '../../test/lib/service-lab.ts';
import { arg, numArg } from '../lib/args.ts';

const COUNT = numArg('count', 100_000);
const SEED = numArg('seed', 1);
const RATE = numArg('rate', 20_000);
const TCP = numArg('tcp', 500);
const SUBNET = arg('subnet', '10.93.9');
const SRV = `${SUBNET}.1`;
const CAP = 65536;
const SENDER = FUZZ_SENDER;

async function rcvbufErrors(
  exec: (argv: string[]) => Promise<{ stdout: string }>,
): Promise<number> {
  const lines = (await exec(['cat', '/proc/net/snmp'])).stdout
    .split('\n')
    .filter((l) => l.startsWith('Udp:'));
  const [names, values] = lines.map((l) => l.split(/\s+/));
  return Number(values![names!.indexOf('RcvbufErrors')]);
}

const app = await makeApplianceDir({
  tmpPrefix: 'nsfuzz-',
  imageSize: 16,
  seed: 9,
  yaml: labApplianceYaml({
    subnet: SUBNET,
    services: `    ntp: { enabled: true }\n    syslog: { enabled: true, maxFileBytes: ${CAP} }\n`,
    overrideCap: 1024,
    bootServer: '{ protocol: tftp, path: "" }',
  }),
});
const results: Record<string, unknown> = {
  count: COUNT,
  seed: SEED,
  rate: RATE,
};
let failed = false;
try {
  for (const which of ['ntp', 'syslog'] as const) {
    const lab = await startNtpSyslogLab({
      which,
      prefix: `fz${which.slice(0, 2)}`,
      subnet: SUBNET,
      hosts: ['cli'],
      yaml: app.yaml,
      leases: { [`${SUBNET}.2`]: PHONE_MAC },
      args: ['--quiet', '--rate', '1000000000,1000000000'],
    });
    try {
      const exec = (argv: string[]) => lab.lab.exec('srv', argv);
      const k0 = await rcvbufErrors(exec);
      const port = which === 'ntp' ? 123 : 514;
      const t0 = Date.now();
      const sent = JSON.parse(
        (
          await lab.lab.exec(
            'cli',
            [
              process.execPath,
              SENDER,
              which,
              SRV,
              String(port),
              String(COUNT),
              String(SEED),
              '--rate',
              String(RATE),
              ...(which === 'syslog' ? ['--tcp', String(TCP)] : []),
            ],
            { timeoutMs: 900_000 },
          )
        ).stdout,
      ) as { sent: number; seconds: number };
      const _s = await lab.statsUntil(
        async (x) =>
          x.stats.received + (await rcvbufErrors(exec)) - k0 >= sent.sent,
        `${which}: every datagram accounted for`,
        60_000,
      );
      const kernelDropped = (await rcvbufErrors(exec)) - k0;
      let stillAnswers = false;
      if (which === 'ntp') {
        const r = await lab.lab.exec('cli', ['sntp', '-t', '3', SRV], {
          allowFail: true,
          timeoutMs: 20_000,
        });
        const m = /\(\+\d{4}\) ([+-]\d+\.\d+)/.exec(r.stdout);
        stillAnswers = m !== null && Math.abs(Number(m[1])) < 0.01;
        results.ntpOffsetAfter = m?.[1];
      } else {
        const text = `still-here-${Date.now()}`;
        await lab.lab.exec(
          'cli',
          ['logger', '--udp', '-n', SRV, '-P', '514', '-t', 'cfg', text],
          { timeoutMs: 15_000 },
        );
        const file = join(app.dir, 'data', 'syslog', `${PHONE_MAC}.log`);
        stillAnswers = await waitFor(
          async () => (await readFile(file, 'utf8')).includes(text),
          10_000,
          'logger line on disk',
        ).then(
          () => true,
          () => false,
        );
        let maxFile = 0;
        for (const f of await readdir(join(app.dir, 'data', 'syslog')))
          maxFile = Math.max(
            maxFile,
            (await stat(join(app.dir, 'data', 'syslog', f))).size,
          );
        results.syslogMaxFileBytes = maxFile;
        if (maxFile > CAP) failed = true;
      }
      const alive = lab.child.exitCode === null;
      const final = await lab.stats();
      results[which] = {
        sent,
        kernelDropped,
        alive,
        stillAnswers,
        seconds: (Date.now() - t0) / 1000,
        maxRssKb: final.maxRssKb,
        stats: final.stats,
      };
      if (!alive || !stillAnswers || final.stats.handlerErrors !== 0)
        failed = true;
    } finally {
      await lab.destroy();
    }
  }
} finally {
  await removeDir(app);
}
console.log(JSON.stringify(results, null, 2));
console.log(
  failed
    ? 'FAIL'
    : 'PASS: 0 crashes, 0 handler errors, both services still answer',
);
process.exit(failed ? 1 : 0);
