/**
 * The measurement behind the NTP design choice: the same client (sntp, 20 queries) against this appliance's
 * SNTP server (src/ntp, in a Node process) and against chronyd -x (never touches the clock; local stratum 10,
 * allow for the lab subnet, no command port), each alone in the lab's srv namespace. Prints |offset| median
 * and max, resident memory and time until the first answer. Needs root, sntp and chronyd.
 *
 *   node bench/ntp-syslog-fuzz/ntp-compare.ts
 */

import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createLab, waitFor } from '../../test/lib/netns.ts';
import {
  labApplianceYaml,
  makeApplianceDir,
  REPO,
  removeDir,
} from '../../test/lib/service-lab.ts';

const subnet = '10.93.7';
const app = await makeApplianceDir({
  tmpPrefix: 'ntpx-',
  imageSize: 16,
  seed: 1,
  yaml: labApplianceYaml({
    subnet,
    services: '    ntp: { enabled: true }\n',
    overrideCap: 1024,
    bootServer: '{ protocol: tftp, path: "" }',
  }),
});
const lab = await createLab({ prefix: 'ntpx', hosts: ['srv', 'cli'], subnet });
const rss = (pid: number) =>
  Number(
    /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1],
  );
async function sample(label: string, pid: number, t0: number) {
  const offs: number[] = [];
  for (let i = 0; i < 20; i++) {
    const r = await lab.exec('cli', ['sntp', '-t', '2', `${subnet}.1`], {
      allowFail: true,
      timeoutMs: 10000,
    });
    const m = /\(\+0000\) ([+-][0-9.]+) \+\/- ([0-9.]+)/.exec(r.stdout);
    if (m) offs.push(Math.abs(Number(m[1])));
  }
  offs.sort((a, b) => a - b);
  console.log(label, {
    n: offs.length,
    medianUs: Math.round(offs[10]! * 1e6),
    maxUs: Math.round(offs[offs.length - 1]! * 1e6),
    rssKb: rss(pid),
    readyMs: t0,
  });
}
try {
  let t = Date.now();
  const child = lab.spawn(
    'srv',
    [
      process.execPath,
      join(REPO, 'test/lib/ntp-syslog-launcher.ts'),
      'ntp',
      app.yaml,
      '--quiet',
    ],
    { cwd: REPO },
  );
  let out = '';
  child.stdout!.on('data', (d) => {
    out += d;
  });
  await waitFor(() => out.includes('ready'), 10000, 'ready');
  await sample('node-sntp', child.pid!, Date.now() - t);
  child.kill('SIGTERM');
  await waitFor(() => child.exitCode !== null, 5000);
  const conf = join(app.dir, 'chrony.conf');
  writeFileSync(
    conf,
    `local stratum 10\nallow ${subnet}.0/24\ncmdport 0\nbindcmdaddress /\npidfile ${app.dir}/chronyd.pid\ndriftfile ${app.dir}/drift\n`,
  );
  t = Date.now();
  const ch = lab.spawn('srv', ['chronyd', '-x', '-d', '-f', conf]);
  let err = '';
  ch.stderr!.on('data', (d) => {
    err += d;
  });
  ch.stdout!.on('data', (d) => {
    err += d;
  });
  await waitFor(
    async () =>
      (
        await lab.exec('cli', ['sntp', '-t', '1', `${subnet}.1`], {
          allowFail: true,
        })
      ).code === 0,
    20000,
    'chrony answering',
  );
  const ready = Date.now() - t;
  const pid = Number(readFileSync(`${app.dir}/chronyd.pid`, 'utf8'));
  await sample('chronyd-x', pid, ready);
  console.log(err.slice(-800));
} finally {
  await lab.destroy();
  await removeDir(app);
}
