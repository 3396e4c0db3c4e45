/**
 * The syslog receiver against util-linux logger, in a namespace lab: srv (.1) runs the receiver, cli (.2)
 * holds phone PHONE_MAC's lease, other (.3) and flood (.4) hold none. RFC 3164 and RFC 5424 over UDP, TCP
 * LF-framed and TCP octet-counted from the leased address are attributed to that phone (event + its file);
 * a prepended MAC attributes a line from an unleased address; a line with neither is counted as
 * unattributed and kept in the ring only. fuzz (.5) sends seeded mutated datagrams and TCP streams. Bad input (oversized, binary, empty, a flood) is dropped and
 * counted, disk use stays within the cap, and the receiver still attributes lines afterwards.
 */

import assert from 'node:assert/strict';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { waitFor } from './lib/netns.ts';
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
  OTHER_MAC,
  PHONE_MAC,
  removeDir,
} from './lib/service-lab.ts';

const SUBNET = '10.93.2';
const SRV = `${SUBNET}.1`;
const CAP = 65536;
const skip = await labSkip('syslog', ['ip', 'logger']);
let app: ApplianceDir | undefined;
let lab: NtpSyslogLab | undefined;
let seq = 0;
const logDir = (): string => join(app!.dir, 'data', 'syslog');

before(async () => {
  if (skip) return;
  app = await makeApplianceDir({
    tmpPrefix: 'syslog-it-',
    imageSize: 16,
    seed: 4,
    yaml: labApplianceYaml({
      subnet: SUBNET,
      services: `    syslog: { enabled: true, port: 514, tcp: true, maxFileBytes: ${CAP} }\n`,
      overrideCap: 1024,
      bootServer: '{ protocol: tftp, path: "" }',
    }),
  });
  lab = await startNtpSyslogLab({
    which: 'syslog',
    prefix: 'slog',
    subnet: SUBNET,
    hosts: ['cli', 'other', 'flood', 'fuzz'],
    yaml: app.yaml,
    leases: { [`${SUBNET}.2`]: PHONE_MAC },
  });
});
after(async () => {
  await lab?.destroy();
  await removeDir(app);
});

/** Send one line with logger from a lab host; returns the unique text it carried. */
async function logger(
  host: string,
  flags: string[],
  text: string,
): Promise<string> {
  const unique = `${text} #${++seq}`;
  await lab!.lab.exec(
    host,
    [
      'logger',
      '-n',
      SRV,
      '-P',
      '514',
      '-p',
      'local0.info',
      '-t',
      'cfg',
      ...flags,
      unique,
    ],
    { timeoutMs: 15_000 },
  );
  return unique;
}

const eventWith = (text: string) =>
  lab!.event(
    (e) => typeof e.text === 'string' && (e.text as string).endsWith(text),
    `event for "${text}"`,
  );
const fileHas = (mac: string, text: string) =>
  waitFor(
    async () =>
      (await readFile(join(logDir(), `${mac}.log`), 'utf8')).includes(text),
    5_000,
    `${mac}.log has "${text}"`,
  );

for (const [name, flags, format, transport] of [
  ['UDP RFC 3164', ['--udp', '--rfc3164'], 'rfc3164', 'udp'],
  ['UDP RFC 5424', ['--udp', '--rfc5424'], 'rfc5424', 'udp'],
  ['TCP (LF framing) RFC 3164', ['--tcp', '--rfc3164'], 'rfc3164', 'tcp'],
  [
    'TCP octet-counted RFC 5424',
    ['--tcp', '--octet-count', '--rfc5424'],
    'rfc5424',
    'tcp',
  ],
] as const) {
  test(`logger ${name} from the leased address is attributed to that phone by its lease`, {
    skip,
  }, async () => {
    const text = await logger(
      'cli',
      [...flags],
      `Prov|Starting to provision ${name}`,
    );
    const e = await eventWith(text);
    assert.equal(e.mac, PHONE_MAC);
    assert.equal(e.attributedBy, 'lease');
    assert.equal(e.peer, `${SUBNET}.2`);
    assert.equal(e.transport, transport);
    assert.equal(e.format, format);
    assert.equal(e.facility, 16);
    assert.equal(e.severity, 6);
    assert.equal(e.app, 'cfg');
    await fileHas(PHONE_MAC, text);
  });
}

test('a prepended MAC attributes a line from an unleased address (UDP 5424, TCP 3164, colon form)', {
  skip,
}, async () => {
  const a = await logger(
    'other',
    ['--udp', '--rfc5424'],
    `${OTHER_MAC} boot starting`,
  );
  const ea = await eventWith(a);
  assert.deepEqual(
    [ea.mac, ea.attributedBy, ea.peer],
    [OTHER_MAC, 'prefix', `${SUBNET}.3`],
  );
  const b = await logger(
    'other',
    ['--tcp', '--rfc3164'],
    '00:04:f2:00:00:03|so |Registration ok',
  );
  const eb = await eventWith(b);
  assert.deepEqual(
    [eb.mac, eb.attributedBy, eb.transport],
    [OTHER_MAC, 'prefix', 'tcp'],
  );
  await fileHas(OTHER_MAC, a);
  await fileHas(OTHER_MAC, b);
});

test('a line with neither lease nor MAC is counted as unattributed, kept in the ring, written nowhere', {
  skip,
}, async () => {
  const before = (await lab!.stats()).stats.unattributed;
  const text = await logger('other', ['--udp', '--rfc3164'], 'who am I');
  const s = await lab!.statsUntil(
    (x) => x.stats.unattributed > before,
    'unattributed counted',
  );
  assert.ok(
    s.recentUnattributed.some(
      (r: { peer: string; line: string }) =>
        r.peer === `${SUBNET}.3` && r.line.includes(text),
    ),
  );
  assert.ok(s.unattributedBySender[`${SUBNET}.3`] >= 1);
  assert.ok(
    !lab!.events.some(
      (e) => typeof e.text === 'string' && (e.text as string).includes(text),
    ),
  );
  assert.deepEqual(
    (await readdir(logDir())).filter(
      (f) => !f.startsWith(PHONE_MAC) && !f.startsWith(OTHER_MAC),
    ),
    [],
  );
});

async function probe(
  host: string,
  hex: string[],
  repeat = 1,
  rate = 0,
): Promise<void> {
  await lab!.lab.exec(
    host,
    [
      process.execPath,
      UDP_PROBE,
      SRV,
      '514',
      '--repeat',
      String(repeat),
      '--rate',
      String(rate),
      ...hex,
    ],
    { timeoutMs: 60_000 },
  );
}

/** Datagrams the kernel dropped in srv's namespace because the receiver's buffer was full (Udp RcvbufErrors). */
async function rcvbufErrors(): Promise<number> {
  const snmp = (await lab!.lab.exec('srv', ['cat', '/proc/net/snmp'])).stdout
    .split('\n')
    .filter((l) => l.startsWith('Udp:'));
  const [names, values] = snmp.map((l) => l.split(/\s+/));
  return Number(values![names!.indexOf('RcvbufErrors')]);
}

test('oversized, binary and empty datagrams and an oversized TCP line are dropped and counted', {
  skip,
}, async () => {
  const before = (await lab!.stats()).stats.dropped;
  await probe('other', [
    Buffer.from(`<134>${'x'.repeat(9000)}`).toString('hex'), // over the 8 KiB line cap
    Buffer.from([
      0x3c, 0x31, 0x33, 0x3e, 0x00, 0x01, 0x02, 0xff, 0x1b,
    ]).toString('hex'), // binary
    Buffer.from('\n').toString('hex'), // empty
  ]);
  // logger itself sending a 10,000-byte line over TCP (its --size raises its own 1 KiB limit).
  await lab!.lab.exec(
    'other',
    [
      'logger',
      '-n',
      SRV,
      '-P',
      '514',
      '--tcp',
      '--size',
      '20000',
      '-t',
      'big',
      'y'.repeat(10_000),
    ],
    { timeoutMs: 15_000 },
  );
  const s = await lab!.statsUntil(
    (x) =>
      x.stats.dropped.SYSLOG_OVERSIZED >= before.SYSLOG_OVERSIZED + 2 &&
      x.stats.dropped.SYSLOG_BINARY > before.SYSLOG_BINARY &&
      x.stats.dropped.SYSLOG_EMPTY > before.SYSLOG_EMPTY,
    'bad input counted',
  );
  assert.equal(s.stats.handlerErrors, 0);
});

/** Opens n TCP connections and holds them until `refusedWanted` have been closed by the server; prints the count. */
const HOLD = `
const net = await import('node:net');
const [host, port, n, want] = process.argv.slice(1);
let closed = 0; const socks = [];
await new Promise((resolve) => {
  const t = setTimeout(resolve, 10000);
  for (let i = 0; i < Number(n); i++) {
    const s = net.connect({ host, port: Number(port) });
    s.on('error', () => {});
    s.on('close', () => { if (++closed >= Number(want)) { clearTimeout(t); resolve(); } });
    socks.push(s);
  }
});
console.log(JSON.stringify({ closedByServer: closed }));
for (const s of socks) s.destroy();
`;

test('TCP connections beyond 64 are refused and counted; the receiver still takes TCP afterwards', {
  skip,
}, async () => {
  const before = (
    await lab!.statsUntil(
      (x) => x.stats.tcp.open === 0,
      'earlier connections closed',
    )
  ).stats.tcp;
  const r = await lab!.lab.exec(
    'other',
    [
      process.execPath,
      '--input-type=module',
      '-e',
      HOLD,
      SRV,
      '514',
      '70',
      '6',
    ],
    { timeoutMs: 30_000 },
  );
  assert.equal(
    (JSON.parse(r.stdout) as { closedByServer: number }).closedByServer,
    6,
  );
  const s = await lab!.statsUntil(
    (x) => x.stats.tcp.open === 0,
    'connections closed',
  );
  assert.equal(s.stats.tcp.refused - before.refused, 6);
  const text = await logger(
    'cli',
    ['--tcp', '--rfc3164'],
    'after the connection cap',
  );
  assert.equal((await eventWith(text)).transport, 'tcp');
});

test('a flood from one address is rate limited, the phone file rotates within the cap, and the receiver still attributes', {
  skip,
}, async () => {
  const before = (await lab!.stats()).stats;
  const kernelBefore = await rcvbufErrors();
  const line = Buffer.from(
    `<134>Dec  1 20:30:00 flood ${OTHER_MAC} ${'z'.repeat(100)}`,
  ).toString('hex');
  // 6,000 lines at 4,000/s: the budget (burst 2,000, 500/s) lets about 2,750 through.
  const N = 6000;
  await probe('flood', [line], N, 4000);
  // Every datagram is accounted for: received by the server, or dropped by the kernel before it.
  const s = await lab!.statsUntil(
    async (x) =>
      x.stats.received -
        before.received +
        (await rcvbufErrors()) -
        kernelBefore >=
      N,
    'flood accounted',
    20_000,
  );
  const received = s.stats.received - before.received;
  assert.ok(received >= N / 2, `only ${received} of ${N} reached the receiver`);
  const limited =
    s.stats.dropped.SYSLOG_RATE_LIMITED - before.dropped.SYSLOG_RATE_LIMITED;
  assert.ok(
    limited >= received - 2000 - 500 * 3 && limited > 0,
    `${limited} rate limited of ${received}`,
  );
  assert.equal(s.stats.handlerErrors, 0);
  const text = await logger('cli', ['--udp', '--rfc3164'], 'still here');
  assert.equal((await eventWith(text)).mac, PHONE_MAC);
  await waitFor(
    async () => (await lab!.stats()).stats.store.rotations > 0,
    10_000,
    'rotation',
  );
  await fileHas(PHONE_MAC, text);
  let total = 0;
  for (const f of await readdir(logDir())) {
    const size = (await stat(join(logDir(), f))).size;
    assert.ok(size <= CAP, `${f} is ${size} bytes`);
    total += size;
  }
  assert.ok(total <= 2 * 2 * CAP, `${total} bytes for two phones`);
  assert.ok((await lab!.stats()).maxRssKb < 400_000);
});

test('fuzz: 1,500 seeded mutated datagrams and 30 mutated TCP streams (the benchmark sends 100,000): no crash, still attributes', {
  skip,
}, async () => {
  const before = (await lab!.stats()).stats;
  const out = await lab!.lab.exec(
    'fuzz',
    [
      process.execPath,
      FUZZ_SENDER,
      'syslog',
      SRV,
      '514',
      '1500',
      '11',
      '--rate',
      '2000',
      '--tcp',
      '30',
    ],
    { timeoutMs: 60_000 },
  );
  const sent = (JSON.parse(out.stdout) as { sent: number }).sent;
  const s = await lab!.statsUntil(
    (x) =>
      x.stats.received - before.received >= sent * 0.5 &&
      x.stats.tcp.open === 0 &&
      x.stats.tcp.accepted >= before.tcp.accepted + 30,
    'fuzz handled',
    20_000,
  );
  assert.equal(s.stats.handlerErrors, 0);
  assert.equal(lab!.child.exitCode, null);
  const text = await logger('cli', ['--tcp', '--rfc5424'], 'after the fuzz');
  assert.equal((await eventWith(text)).mac, PHONE_MAC);
  for (const f of await readdir(logDir()))
    assert.ok((await stat(join(logDir(), f))).size <= CAP, f);
});
