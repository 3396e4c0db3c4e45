/**
 * FTP under abuse (issue #16, items 2 and 5), real clients in lab "fhd" (10.91.23, passive range of 40 ports):
 * 100 PASVs on one control connection hold one listener and a legitimate curl still downloads; a client
 * address holds a bounded number of passive listeners; `appliance run` exits within 2 s of SIGTERM with a
 * PASV listener open; wrong passwords are throttled per address by the schedule of shared/login-throttle.ts
 * (timed for the first dozen, computed for 3,000) and the right one is then accepted; a 4,000-byte user name is
 * logged cut to 64 characters. Clients: curl and test/lib/ftp-burst.ts.
 */

import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { minimumTime, waitAfter } from '../src/shared/login-throttle.ts';
import { waitFor } from './lib/netns.ts';
import {
  type ApplianceDir,
  labApplianceYaml,
  labSkip,
  makeApplianceDir,
  REPO,
  removeDir,
  type ServiceLab,
  startServiceLab,
} from './lib/service-lab.ts';

const SUBNET = '10.91.23';
const SRV = `${SUBNET}.1`;
const BURST = join(REPO, 'test/lib/ftp-burst.ts');
const skip = await labSkip('FTP hardening', ['curl', 'ss']);
const yaml = (port: number, pasv: [number, number], only = false): string =>
  labApplianceYaml({
    subnet: SUBNET,
    overrideCap: 64 * 1024,
    bootServer: '{ protocol: ftp, path: hq }',
    services:
      `    ftp: { enabled: true, port: ${port}, pasvMin: ${pasv[0]}, pasvMax: ${pasv[1]} }\n` +
      (only
        ? '    dhcp: { enabled: false }\n    tftp: { enabled: false }\n    http: { enabled: false }\n    admin: { enabled: false }\n'
        : ''),
  });

let app: ApplianceDir | undefined;
let run: ServiceLab | undefined;
before(async () => {
  if (skip) return;
  app = await makeApplianceDir({
    tmpPrefix: 'fhd-it-',
    yaml: yaml(21, [40500, 40539]),
    imageSize: 1024,
    seed: 0x77,
  });
  run = await startServiceLab({
    protocol: 'ftp',
    prefix: 'fhd',
    subnet: SUBNET,
    yaml: app.yaml,
    hosts: ['srv', 'cli', 'other', 'third'],
  });
});
after(async () => {
  try {
    await run?.destroy();
  } finally {
    await removeDir(app);
  }
});

/** Start ftp-burst.ts pasv on a lab host; resolves with its summary once its connections are open. */
async function hog(
  host: string,
  port: number,
  connections: number,
  pasvs: number,
): Promise<{ child: ChildProcess; codes: Record<string, number> }> {
  const child = run!.lab.spawn(host, [
    process.execPath,
    BURST,
    'pasv',
    SRV,
    String(port),
    String(connections),
    String(pasvs),
  ]);
  let out = '';
  child.stdout!.on('data', (d: Buffer) => {
    out += d.toString();
  });
  await waitFor(
    () => out.includes('DONE') || child.exitCode !== null,
    30_000,
    'ftp-burst pasv',
  );
  assert.ok(out.includes('DONE'), out);
  return {
    child,
    codes: (
      JSON.parse(out.split('\n')[0]!) as { codes: Record<string, number> }
    ).codes,
  };
}
const listeners = async (lo: number, hi: number): Promise<number> =>
  (
    await run!.lab.exec('srv', [
      'ss',
      '-ltnH',
      `( sport >= :${lo} and sport <= :${hi} )`,
    ])
  ).stdout
    .split('\n')
    .filter((l) => l.trim() !== '').length;
const stop = async (c: ChildProcess): Promise<void> => {
  c.stdin?.end();
  await waitFor(() => c.exitCode !== null, 5_000, 'ftp-burst exit').catch(() =>
    c.kill('SIGKILL'),
  );
};

test('100 PASVs on one connection hold one listener; a legitimate curl still downloads; listeners per client are bounded', {
  skip,
}, async () => {
  const h = await hog('cli', 21, 1, 100);
  assert.deepEqual(h.codes, { 227: 100 });
  assert.equal(
    await listeners(40500, 40539),
    1,
    'one passive listener for the connection, not 100',
  );
  const get = await run!.lab.exec(
    'other',
    [
      'curl',
      '-s',
      '-S',
      '--ftp-pasv',
      '--max-time',
      '20',
      `ftp://PlcmSpIp:PlcmSpIp@${SRV}/hq/000000000000.cfg`,
    ],
    { allowFail: true },
  );
  assert.equal(get.code, 0, get.stderr);
  assert.match(get.stdout, /APPLICATION/);
  // The same address opening 25 more connections: half the 40-port range (20 listeners) in all, then 425.
  const more = await hog('cli', 21, 25, 1);
  assert.deepEqual(more.codes, { 227: 19, 425: 6 });
  await stop(more.child);
  await stop(h.child);
  await waitFor(
    async () => (await listeners(40500, 40539)) === 0,
    5_000,
    'listeners closed with their connections',
  );
  run!.child.exitCode === null || assert.fail('server died');
});

test('appliance run exits within 2 s of SIGTERM while a client holds a PASV listener', {
  skip,
}, async (t) => {
  const file = join(app!.dir, 'only-ftp.yaml');
  await writeFile(file, yaml(2121, [40600, 40609], true));
  const child = run!.lab.spawn(
    'srv',
    [process.execPath, join(REPO, 'src/cli/main.ts'), 'run', file],
    { cwd: REPO },
  );
  let out = '';
  child.stdout!.on('data', (d: Buffer) => {
    out += d.toString();
  });
  child.stderr!.on('data', (d: Buffer) => {
    out += d.toString();
  });
  try {
    await waitFor(
      () => out.includes('appliance running') || child.exitCode !== null,
      20_000,
      'appliance start',
    );
    const h = await hog('cli', 2121, 1, 1);
    assert.deepEqual(h.codes, { 227: 1 });
    const t0 = performance.now();
    child.kill('SIGTERM');
    await waitFor(
      () => child.exitCode !== null,
      10_000,
      `exit after SIGTERM: ${out.slice(-1000)}`,
    );
    const ms = performance.now() - t0;
    assert.ok(ms < 2000, `exited ${Math.round(ms)} ms after SIGTERM`);
    t.diagnostic(`exited ${Math.round(ms)} ms after SIGTERM`);
    assert.equal(child.exitCode, 0, out.slice(-1000));
    await stop(h.child);
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
  }
});

test('wrong passwords are throttled per address by the back-off schedule; the right one is accepted after its wait', {
  skip,
}, async (t) => {
  const wrong = 10;
  const r = await run!.lab.exec(
    'third',
    [process.execPath, BURST, 'login', SRV, '21', String(wrong), 'PlcmSpIp'],
    { timeoutMs: 60_000 },
  );
  const { replies } = JSON.parse(r.stdout) as {
    replies: { code: string; ms: number; sent: number; replied: number }[];
  };
  assert.deepEqual(
    replies.map((x) => x.code),
    [...Array(wrong).fill('530'), '230'],
    `${r.stdout} ${run!.stderr().slice(-1500)}`,
  );
  // Attempt i waits for the slot the i-1 failures before it earned. The server sets that slot when it admits
  // attempt i-1, which is after the client sent it: so from that send to attempt i's reply is at least the wait,
  // however late this loaded client reads its replies.
  for (const [i, x] of replies.entries()) {
    if (i === 0) continue;
    const due = waitAfter(i - 1);
    const since = x.replied - replies[i - 1]!.sent;
    assert.ok(
      since >= due,
      `attempt ${i}: ${since} ms after attempt ${i - 1} was sent, due ${due} ms`,
    );
  }
  // The slots chain: the last reply comes at least the whole schedule after the first attempt was sent.
  const total = replies.at(-1)!.replied - replies[0]!.sent;
  assert.ok(
    total >= minimumTime(wrong + 1),
    `${total} ms for ${wrong + 1} attempts`,
  );
  assert.ok(
    total < minimumTime(wrong + 1) + 10_000,
    `${total} ms: not much more than the schedule (slack for a loaded machine)`,
  );
  const hours = minimumTime(3000) / 3600_000;
  assert.ok(hours > 1, '3,000 wrong passwords take hours');
  t.diagnostic(
    `${wrong + 1} attempts took ${total} ms (schedule ${minimumTime(wrong + 1)} ms: ${replies.map((x) => x.ms).join(', ')}); 3,000 take at least ${hours.toFixed(1)} h`,
  );
  // Another address is not slowed down by this one.
  const fast = await run!.lab.exec(
    'other',
    [process.execPath, BURST, 'login', SRV, '21', '0', 'PlcmSpIp'],
    { timeoutMs: 30_000 },
  );
  const f = (
    JSON.parse(fast.stdout) as { replies: { code: string; ms: number }[] }
  ).replies;
  assert.equal(f[0]!.code, '230');
  // Were the throttle shared, this login would wait for the next slot (waitAfter(wrong): 3.2 s).
  assert.ok(f[0]!.ms < waitAfter(wrong), `${f[0]!.ms} ms`);
});

test('a 4,000-byte user name is logged cut to 64 characters', {
  skip,
}, async () => {
  const r = await run!.lab.exec(
    'cli',
    [process.execPath, BURST, 'user', SRV, '21', '4000'],
    { timeoutMs: 30_000 },
  );
  assert.match(r.stdout, /"reply":"530"/);
  const line = await waitFor(
    () =>
      run!
        .stderr()
        .split('\n')
        .find(
          (l) =>
            l.includes('FTP_LOGIN_FAILED') && l.includes('"userLength":4000'),
        ),
    5_000,
    'login failure line',
  );
  assert.ok(line.length < 600, `${line.length} characters`);
  assert.match(line, /"user":"u{64}"/);
});
