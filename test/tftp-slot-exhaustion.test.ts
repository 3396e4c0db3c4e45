/**
 * Issue 16's TFTP lock-out, with real clients: two attacker hosts send 520 RRQs with `timeout=255` (the
 * request that used to hold a transfer slot for 6 × 255 s) and never ACK, then curl and tftp-hpa download
 * from other addresses at once. On the native engine and on the in-thread (js) path, with the service's real
 * retransmit policy (1 s doubling to 8 s, 5 retries), not the fast one the other TFTP tests use. Also a
 * 2,000-RRQ burst is not dropped by the kernel (Udp RcvbufErrors in the server's namespace).
 * Lab: prefix "tftp", subnet 10.91.5 (srv .1, cli .2, other .3, att1 .4, att2 .5).
 */

import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { test } from 'node:test';
import {
  createTftpLab,
  hpaArgv,
  IMAGE,
  PHONE_MAC,
  SRV,
  sha256,
  type TftpLab,
} from './lib/tftp-lab.ts';

const FLOOD = join(import.meta.dirname, 'lib/tftp-flood.py');
const PER_HOST = 8; // services.tftp.maxTransfersPerHost's default (the lab yaml leaves it out)
const ATTACKERS = ['att1', 'att2'] as const;
/** A legitimate download must finish within this while the attack holds its slots. */
const DEADLINE_MS = 5000;

interface FloodSummary {
  readonly sent: number;
  readonly answered: number;
  readonly oack: number;
  readonly data: number;
  readonly error: number;
  readonly oackOptions: Record<string, string>[];
  readonly errors: string[];
}

async function withLab(
  engine: 'native' | 'js',
  skip: (why: string) => void,
  body: (l: TftpLab) => Promise<void>,
  o: { maxTransfers?: number; retry?: string } = {},
): Promise<void> {
  const r = await createTftpLab({
    imageSize: 256 * 1024,
    cmds: ['tftp', 'curl', 'python3'],
    retry: o.retry ?? '1000,8000,5',
    maxTransfers: o.maxTransfers,
    hosts: ['srv', 'cli', 'other', ...ATTACKERS],
    engine,
  });
  if ('skip' in r) {
    skip(r.skip);
    return;
  }
  try {
    await body(r);
  } finally {
    await r.destroy();
  }
}

/** Starts a flood from `host`; resolves with its summary once every request was answered (or 5 s). */
function flood(
  l: TftpLab,
  host: string,
  count: number,
): { child: ChildProcess; summary: Promise<FloodSummary> } {
  const child = l.lab.spawn(host, [
    'python3',
    FLOOD,
    SRV,
    IMAGE,
    String(count),
    'timeout',
    '255',
    'blksize',
    '1024',
  ]);
  const summary = new Promise<FloodSummary>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', (line) =>
      resolve(JSON.parse(line) as FloodSummary),
    );
    child.once('exit', (code) => reject(new Error(`flood exited ${code}`)));
  });
  return { child, summary };
}

async function timed<T>(
  f: () => Promise<T>,
): Promise<{ value: T; ms: number }> {
  const t0 = performance.now();
  const value = await f();
  return { value, ms: performance.now() - t0 };
}

for (const engine of ['native', 'js'] as const) {
  test(`${engine}: 520 timeout=255 RRQs from two hosts, then curl and tftp-hpa from other addresses download at once`, async (c) => {
    await withLab(
      engine,
      (why) => c.skip(why),
      async (l) => {
        const floods = ATTACKERS.map((h) => flood(l, h, 260));
        const summaries = await Promise.all(floods.map((f) => f.summary));
        for (const [i, s] of summaries.entries()) {
          assert.equal(
            s.answered,
            260,
            `${ATTACKERS[i]}: every request answered`,
          );
          assert.equal(
            s.oack + s.data,
            PER_HOST,
            `${ATTACKERS[i]}: ${PER_HOST} transfers accepted (${JSON.stringify(s)})`,
          );
          assert.equal(s.error, 260 - PER_HOST);
          assert.ok(
            s.errors.every((m) => /busy: .* from your address/.test(m)),
            JSON.stringify(s.errors),
          );
          // RFC 2349: the value must be echoed as asked, so a refused timeout is left out of the OACK.
          assert.deepEqual(s.oackOptions, [{ blksize: '1024' }]);
        }
        // The attack's 16 transfers still hold their slots (nobody ACKs): the others get through anyway.
        const curl = await timed(() =>
          l.lab.exec(
            'cli',
            [
              'curl',
              '-sS',
              '--max-time',
              '10',
              '-o',
              join(l.dir, 'out', 'curl.bin'),
              `tftp://${SRV}/${IMAGE}`,
            ],
            { timeoutMs: 15_000 },
          ),
        );
        const hpa = await timed(() =>
          l.lab.exec(
            'other',
            hpaArgv('get', IMAGE, join(l.dir, 'out', 'hpa.bin')),
            { timeoutMs: 15_000 },
          ),
        );
        for (const [name, t] of [
          ['curl', curl],
          ['tftp-hpa', hpa],
        ] as const) {
          assert.ok(
            t.ms < DEADLINE_MS,
            `${name} took ${Math.round(t.ms)} ms under attack`,
          );
          c.diagnostic(
            `${engine}: ${name} downloaded in ${Math.round(t.ms)} ms`,
          );
        }
        for (const f of ['curl.bin', 'hpa.bin'])
          assert.equal(
            sha256(await readFile(join(l.dir, 'out', f))),
            l.imageSha,
            f,
          );
        const st = await l.stats();
        assert.equal(st.hostBusy, 2 * (260 - PER_HOST));
        assert.equal(st.busy, 0, 'the global limit was never reached');
        assert.equal(st.active, 2 * PER_HOST, 'the attack still holds its own');
        const logged = l
          .stderr()
          .split('\n')
          .filter((line) => line.includes('"code":"TFTP_HOST_BUSY"'));
        assert.equal(logged.length, 2, 'one refusal line per attacking host');
        for (const f of floods) f.child.kill('SIGKILL');
      },
    );
  });
}

test(`uploads lingering to re-ACK their last block hold neither their phone's slots nor the server's`, async (c) => {
  await withLab(
    'native',
    (why) => c.skip(why),
    async (l) => {
      const file = join(l.dir, 'out', 'up.cfg');
      await writeFile(file, '<PHONE_CONFIG up.backlight.idleIntensity="1"/>\n');
      // Each upload lingers a retransmit interval (5 s here) after it is stored: more than a limit's worth of
      // them back to back (the server's limit is the host's), then a download, within that time.
      for (let i = 0; i <= PER_HOST; i++)
        await l.lab.exec('cli', hpaArgv('put', file, `${PHONE_MAC}-phone.cfg`));
      const got = await l.lab.exec(
        'cli',
        hpaArgv('get', IMAGE, join(l.dir, 'out', 'after.bin')),
      );
      const st = await l.stats();
      assert.ok(st.lingering > 0, `uploads still lingering (${st.lingering})`);
      assert.equal(st.hostBusy, 0, 'nothing refused for the host');
      assert.equal(st.busy, 0, 'nothing refused for the server');
      assert.equal(got.code, 0, got.stderr);
      assert.equal(
        sha256(await readFile(join(l.dir, 'out', 'after.bin'))),
        l.imageSha,
      );
    },
    { maxTransfers: PER_HOST, retry: '5000,8000,5' },
  );
});

/** Udp RcvbufErrors of the server's namespace (datagrams the kernel dropped for a full receive buffer). */
async function rcvbufErrors(l: TftpLab): Promise<number> {
  const snmp = (await l.lab.exec('srv', ['cat', '/proc/net/snmp'])).stdout;
  const [names, values] = snmp
    .split('\n')
    .filter((line) => line.startsWith('Udp:'))
    .map((line) => line.split(/\s+/));
  const i = names!.indexOf('RcvbufErrors');
  return Number(values![i]);
}

test('a burst of 2,000 RRQs is queued, not dropped by the kernel', async (c) => {
  await withLab(
    'native',
    (why) => c.skip(why),
    async (l) => {
      const listening = l
        .stderr()
        .split('\n')
        .find((line) => line.includes('"tftp listening"'));
      const granted = (
        JSON.parse(listening ?? '{}') as { receiveBuffer?: number }
      ).receiveBuffer;
      assert.ok(
        granted !== undefined && granted >= 4 * 1024 * 1024,
        `receive buffer ${granted}: raise net.core.rmem_max to 4194304`,
      );
      const before = await rcvbufErrors(l);
      // One socket, as fast as Python sends: the service takes the first and counts the rest as repeats.
      const py = `import socket
s=socket.socket(socket.AF_INET,socket.SOCK_DGRAM)
p=b'\\x00\\x01${IMAGE}\\x00octet\\x00'
for _ in range(2000): s.sendto(p,('${SRV}',69))`;
      await l.lab.exec('att1', ['python3', '-c', py]);
      // Every datagram the kernel queued is read in the end: wait for the counters to show all of them.
      let st = await l.stats();
      const until = performance.now() + 10_000;
      while (st.requests + st.duplicates < 2000 && performance.now() < until)
        st = await l.stats();
      const dropped = (await rcvbufErrors(l)) - before;
      c.diagnostic(
        `RcvbufErrors +${dropped}; requests ${st.requests}, repeats ${st.duplicates}`,
      );
      assert.equal(dropped, 0, 'no request dropped for a full receive buffer');
      assert.equal(st.requests + st.duplicates, 2000);
    },
  );
});
