/**
 * The SNTP server against real clients, each in its own lab namespace (the server in "srv" at .1, nothing
 * bound in the machine's namespace): sntp, ntpdate -q, chronyd -Q and (when the installed BusyBox has the
 * applet) busybox ntpd must report an offset under 10 ms; then raw datagrams: a v3 request gets a v3 reply
 * with its origin echoed and receive/transmit inside the exchange, runts, wrong modes and versions and a
 * flood are dropped and counted (never a Kiss-o'-Death), and the server still answers afterwards.
 */

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { decodePacket, unixNsFromNtp } from '../src/ntp/codec/packet.ts';
import {
  FUZZ_SENDER,
  type NtpSyslogLab,
  startNtpSyslogLab,
  UDP_PROBE,
} from './lib/ntp-syslog-lab.ts';
import {
  type ApplianceDir,
  labApplianceYaml,
  labSkip,
  makeApplianceDir,
  removeDir,
} from './lib/service-lab.ts';

const SUBNET = '10.93.1';
const SRV = `${SUBNET}.1`;
const LIMIT_S = 0.01;
const skip = await labSkip('NTP', ['ip', 'sntp', 'ntpdate', 'chronyd']);
let app: ApplianceDir | undefined;
let lab: NtpSyslogLab | undefined;
const offsets: Record<string, number> = {};

before(async () => {
  if (skip) return;
  app = await makeApplianceDir({
    tmpPrefix: 'ntp-it-',
    imageSize: 16,
    seed: 3,
    yaml: labApplianceYaml({
      subnet: SUBNET,
      services: '    ntp: { enabled: true, port: 123, stratum: 9 }\n',
      overrideCap: 1024,
      bootServer: '{ protocol: tftp, path: "" }',
    }),
  });
  lab = await startNtpSyslogLab({
    which: 'ntp',
    prefix: 'ntpc',
    subnet: SUBNET,
    hosts: ['cli', 'c2', 'c3'],
    yaml: app.yaml,
  });
});
after(async () => {
  await lab?.destroy();
  await removeDir(app);
  if (Object.keys(offsets).length > 0)
    console.log(`# NTP offsets (s): ${JSON.stringify(offsets)}`);
});

const sntpLine = /\(\+\d{4}\) ([+-]\d+\.\d+) \+\/- [0-9.]+ \S+ s(\d+)/;

test('sntp reports an offset under 10 ms from the lab stratum (9, host clock unsynchronised here)', {
  skip,
}, async () => {
  const r = await lab!.lab.exec('cli', ['sntp', '-t', '3', SRV], {
    timeoutMs: 20_000,
  });
  const m = sntpLine.exec(r.stdout);
  assert.ok(m, `sntp said: ${r.stdout} ${r.stderr}`);
  offsets.sntp = Number(m[1]);
  assert.ok(Math.abs(offsets.sntp) < LIMIT_S, `offset ${m[1]}`);
  const s = await lab!.stats();
  assert.equal(Number(m[2]), s.stats.stratum);
  assert.ok(
    s.stats.stratum === 9 || (s.stats.synchronised && s.stats.stratum === 3),
    JSON.stringify(s.stats),
  );
});

test('ntpdate -q reports an offset under 10 ms', { skip }, async () => {
  const r = await lab!.lab.exec('c2', ['ntpdate', '-q', SRV], {
    timeoutMs: 30_000,
  });
  const m = sntpLine.exec(r.stdout);
  assert.ok(m, `ntpdate said: ${r.stdout} ${r.stderr}`);
  offsets.ntpdate = Number(m[1]);
  assert.ok(Math.abs(offsets.ntpdate) < LIMIT_S, `offset ${m[1]}`);
});

test('chronyd -Q (query only, never sets the clock) reports an offset under 10 ms', {
  skip,
}, async () => {
  const r = await lab!.lab.exec(
    'c3',
    ['chronyd', '-Q', '-t', '15', `server ${SRV} iburst`],
    { timeoutMs: 30_000 },
  );
  const m = /System clock wrong by (-?\d+\.\d+) seconds/.exec(
    r.stdout + r.stderr,
  );
  assert.ok(m, `chronyd said: ${r.stdout} ${r.stderr}`);
  offsets.chronyd = Number(m[1]);
  assert.ok(Math.abs(offsets.chronyd) < LIMIT_S, `offset ${m[1]}`);
});

test('busybox ntpd -q reports an offset under 10 ms', { skip }, async (t) => {
  const probe = await lab!.lab.exec('cli', ['busybox', 'ntpd', '--help'], {
    allowFail: true,
  });
  if (
    /applet not found/.test(probe.stderr + probe.stdout) ||
    probe.code === 127
  ) {
    t.skip(
      'this BusyBox is built without the ntpd applet (Debian bookworm busybox and busybox-static both are)',
    );
    return;
  }
  // -w: query only, never set the clock; -d prints each reply's offset.
  const r = await lab!.lab.exec(
    'cli',
    ['busybox', 'ntpd', '-n', '-q', '-w', '-d', '-p', SRV],
    { timeoutMs: 30_000, allowFail: true },
  );
  const m = /offset:([+-]?\d+\.\d+)/.exec(r.stdout + r.stderr);
  assert.ok(m, `busybox ntpd said: ${r.stdout} ${r.stderr}`);
  offsets.busybox = Number(m[1]);
  assert.ok(Math.abs(offsets.busybox) < LIMIT_S, `offset ${m[1]}`);
});

/** A client request: version, mode, poll and a recognisable transmit timestamp. */
const request = (
  version: number,
  mode: number,
  transmit: bigint,
  length = 48,
): string => {
  const b = Buffer.alloc(Math.max(48, length));
  b[0] = (version << 3) | mode;
  b[2] = 7;
  b.writeBigUInt64BE(transmit, 40);
  return b.subarray(0, length).toString('hex');
};

async function probe(
  host: string,
  hex: string[],
  o: { expect?: number; repeat?: number; timeoutMs?: number } = {},
): Promise<{ sentAtMs: number[]; replies: { hex: string; atMs: number }[] }> {
  const args = [
    process.execPath,
    UDP_PROBE,
    SRV,
    '123',
    '--expect',
    String(o.expect ?? 0),
    '--timeout',
    String(o.timeoutMs ?? 3000),
    '--repeat',
    String(o.repeat ?? 1),
    ...hex,
  ];
  const r = await lab!.lab.exec(host, args, { timeoutMs: 30_000 });
  return JSON.parse(r.stdout) as {
    sentAtMs: number[];
    replies: { hex: string; atMs: number }[];
  };
}

test('a v3 request gets a v3 server reply: origin echoed bit for bit, receive and transmit inside the exchange', {
  skip,
}, async () => {
  const origin = 0xdeadbeefcafef00dn;
  const r = await probe('c2', [request(3, 3, origin)], { expect: 1 });
  assert.equal(r.replies.length, 1);
  const p = decodePacket(Buffer.from(r.replies[0]!.hex, 'hex'));
  assert.ok(p.ok);
  assert.equal(p.value.version, 3);
  assert.equal(p.value.mode, 4);
  assert.equal(p.value.poll, 7);
  assert.equal(p.value.originTime, origin);
  assert.ok(
    p.value.stratum >= 1 && p.value.stratum <= 15,
    'never stratum 0 (KoD)',
  );
  const rx = Number(unixNsFromNtp(p.value.receiveTime)) / 1e6;
  const tx = Number(unixNsFromNtp(p.value.transmitTime)) / 1e6;
  assert.ok(rx <= tx && tx - rx < 5, `receive ${rx} transmit ${tx}`);
  // Same kernel clock in every namespace: the server's stamps lie between our send and receive (±1 ms slack).
  assert.ok(
    rx >= r.sentAtMs[0]! - 1 && tx <= r.replies[0]!.atMs + 1,
    `sent ${r.sentAtMs[0]} rx ${rx} tx ${tx} back ${r.replies[0]!.atMs}`,
  );
});

test('runts, wrong modes and versions are dropped and counted, a flood is rate limited without KoD, and the server still answers', {
  skip,
}, async () => {
  const before = (await lab!.stats()).stats;
  const bad = [
    Buffer.alloc(10).toString('hex'), // runt
    request(4, 3, 1n, 47), // one byte short
    request(4, 4, 1n), // a server reply sent to us
    request(4, 1, 1n), // symmetric active
    request(4, 6, 1n), // control (ntpq)
    request(4, 7, 1n), // private (ntpdc monlist)
    request(0, 3, 1n),
    request(7, 3, 1n), // versions 0 and 7
  ];
  const none = await probe('c3', bad);
  assert.equal(none.replies.length, 0);
  const d = await lab!.statsUntil(
    (s) =>
      s.stats.dropped.NTP_RUNT >= before.dropped.NTP_RUNT + 2 &&
      s.stats.dropped.NTP_BAD_MODE >= before.dropped.NTP_BAD_MODE + 4 &&
      s.stats.dropped.NTP_BAD_VERSION >= before.dropped.NTP_BAD_VERSION + 2,
    'bad datagrams counted',
  );
  assert.equal(d.stats.answered, before.answered);

  // 200 requests at once from one client: the burst (16) is answered, the rest dropped; no reply is a KoD.
  const flood = await probe('c3', [request(4, 3, 42n)], {
    repeat: 200,
    expect: 200,
    timeoutMs: 2000,
  });
  assert.ok(
    flood.replies.length >= 8 && flood.replies.length < 60,
    `${flood.replies.length} replies to a 200-request flood`,
  );
  for (const rep of flood.replies) {
    const p = decodePacket(Buffer.from(rep.hex, 'hex'));
    assert.ok(p.ok && p.value.stratum !== 0 && p.value.mode === 4);
  }
  const s = await lab!.statsUntil(
    (x) => x.stats.dropped.NTP_RATE_LIMITED >= 140,
    'flood counted',
  );
  assert.equal(s.stats.handlerErrors, 0);

  // Another client is unaffected, and sntp still gets its answer.
  const other = await probe('cli', [request(4, 3, 7n)], { expect: 1 });
  assert.equal(other.replies.length, 1);
  const again = await lab!.lab.exec('cli', ['sntp', '-t', '3', SRV], {
    timeoutMs: 20_000,
  });
  assert.match(again.stdout, sntpLine);
});

test('fuzz: 3,000 seeded mutated datagrams (bench/ntp-syslog-fuzz sends 100,000): no crash, no handler error, still answers', {
  skip,
}, async () => {
  const before = (await lab!.stats()).stats;
  const out = await lab!.lab.exec(
    'c2',
    [
      process.execPath,
      FUZZ_SENDER,
      'ntp',
      SRV,
      '123',
      '3000',
      '7',
      '--rate',
      '3000',
    ],
    { timeoutMs: 60_000 },
  );
  const sent = (JSON.parse(out.stdout) as { sent: number }).sent;
  const s = await lab!.statsUntil(
    (x) => x.stats.received - before.received >= sent * 0.5,
    'fuzz datagrams handled',
    20_000,
  );
  assert.equal(s.stats.handlerErrors, 0);
  assert.equal(lab!.child.exitCode, null);
  const r = await lab!.lab.exec('cli', ['sntp', '-t', '3', SRV], {
    timeoutMs: 20_000,
  });
  const m = sntpLine.exec(r.stdout);
  assert.ok(m && Math.abs(Number(m[1])) < LIMIT_S, r.stdout);
});
