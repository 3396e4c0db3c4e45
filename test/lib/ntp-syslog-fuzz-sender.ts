/**
 * Sends seeded, mutated NTP or syslog traffic at a server, for the fuzz test (a few thousand datagrams) and
 * bench/ntp-syslog-fuzz (100,000). Runs inside a lab namespace (lab.exec):
 *
 *   node test/lib/ntp-syslog-fuzz-sender.ts ntp|syslog HOST PORT COUNT SEED [--rate PER_S] [--tcp CONNECTIONS]
 *
 * Datagrams come from valid seeds mutated by byte flips, truncation, extension, random bodies and (syslog)
 * control characters, huge lengths and broken UTF-8; --tcp also streams mutated octet-counted and LF-framed
 * data over that many connections. Each case is reproducible from SEED and its index. stdout: one JSON line
 * {"sent":N,"bytes":B,"tcpConnections":C,"seconds":S}.
 */
import { createSocket } from 'node:dgram';
import { connect } from 'node:net';
import { prng } from './prng.ts';

const [proto, host, portArg, countArg, seedArg, ...rest] =
  process.argv.slice(2);
if (
  (proto !== 'ntp' && proto !== 'syslog') ||
  !host ||
  !portArg ||
  !countArg ||
  !seedArg
) {
  process.stderr.write(
    'usage: ntp-syslog-fuzz-sender ntp|syslog HOST PORT COUNT SEED [--rate PER_S] [--tcp CONNECTIONS]\n',
  );
  process.exit(2);
}
let rate = 20_000;
let tcpConnections = 0;
for (let i = 0; i < rest.length; i++) {
  if (rest[i] === '--rate') rate = Number(rest[++i]);
  else if (rest[i] === '--tcp') tcpConnections = Number(rest[++i]);
}
const port = Number(portArg);
const count = Number(countArg);
const rnd = prng(Number(seedArg));
const int = (n: number): number => Math.floor(rnd() * n);

function ntpSeed(): Buffer {
  const b = Buffer.alloc(int(4) === 0 ? 68 : 48); // sometimes with a 20-byte MAC trailer
  b[0] = (int(4) << 6) | ((3 + int(2)) << 3) | 3;
  b[2] = int(18);
  b.writeBigUInt64BE(BigInt(0xe000_0000 + int(0x1000_0000)) << 32n, 40);
  return b;
}

const SYSLOG_SEEDS = [
  '<134>Dec  1 20:30:00 phone cfg[12]: 0004f28062d6|Prov|Starting to provision',
  '<165>1 2026-12-01T20:30:00.123456+01:00 host app 77 ID47 [ex@32473 iut="3" eventSource="App"] \ufeffmessage',
  '<13>1 - - - - - -',
  '<14>0004f2000003: so |Registration ok',
  'no pri at all',
  '<191>Jan 31 23:59:59 h t: ünïcödé ✓',
];

function syslogSeed(): Buffer {
  return Buffer.from(SYSLOG_SEEDS[int(SYSLOG_SEEDS.length)]!);
}

function mutate(seed: Buffer, maxLen: number): Buffer {
  switch (int(8)) {
    case 0: {
      // random body
      const b = Buffer.alloc(int(maxLen));
      for (let i = 0; i < b.length; i++) b[i] = int(256);
      return b;
    }
    case 1:
      return seed.subarray(0, int(seed.length + 1)); // truncation (runts, empty)
    case 2: {
      // extension with random bytes
      const tail = Buffer.alloc(int(Math.min(maxLen, 2000)));
      for (let i = 0; i < tail.length; i++) tail[i] = int(256);
      return Buffer.concat([seed, tail]);
    }
    case 3: {
      // printable text, sometimes huge
      const n = int(4) === 0 ? 8000 + int(2000) : int(300);
      return Buffer.concat([
        Buffer.from(`<${int(200)}>`),
        Buffer.from('A'.repeat(n)),
      ]);
    }
    case 4: {
      // a control character or broken UTF-8 inside
      const b = Buffer.from(seed);
      if (b.length > 0)
        b[int(b.length)] = [0x00, 0x01, 0x1b, 0x7f, 0xc3, 0xff, 0x0a][int(7)]!;
      return b;
    }
    default: {
      // 1-4 byte flips
      const b = Buffer.from(seed);
      for (let k = 1 + int(4); k > 0 && b.length > 0; k--)
        b[int(b.length)] = int(256);
      return b;
    }
  }
}

const started = performance.now();
let sent = 0;
let bytes = 0;
const sock = createSocket('udp4');
await new Promise<void>((resolve) => sock.bind(0, () => resolve()));
for (let i = 0; i < count; i++) {
  const d =
    proto === 'ntp' ? mutate(ntpSeed(), 200) : mutate(syslogSeed(), 1400);
  if (d.length > 65_000) continue;
  if (sent >= ((performance.now() - started) / 1000) * rate + rate / 100) {
    const due = started + (sent / rate) * 1000;
    await new Promise((r) =>
      setTimeout(r, Math.max(1, due - performance.now())),
    );
  }
  await new Promise<void>((resolve) =>
    sock.send(d, port, host, () => resolve()),
  );
  sent++;
  bytes += d.length;
}
sock.close();

// TCP: each connection streams a few mutated frames, octet-counted or LF-framed, in random chunk sizes.
for (let c = 0; c < tcpConnections; c++) {
  const parts: Buffer[] = [];
  for (let k = 1 + int(20); k > 0; k--) {
    const m = mutate(syslogSeed(), 1400);
    parts.push(
      int(2) === 0
        ? Buffer.concat([Buffer.from(`${m.length} `), m])
        : Buffer.concat([m, Buffer.from('\n')]),
    );
  }
  if (int(10) === 0) parts.push(Buffer.from(`${int(99999999)}x garbage count`));
  const stream = Buffer.concat(parts);
  await new Promise<void>((resolve) => {
    const s = connect({ host, port }, async () => {
      for (let at = 0; at < stream.length; ) {
        const n = 1 + int(600);
        if (!s.write(stream.subarray(at, at + n)))
          await new Promise((r) => s.once('drain', r));
        at += n;
      }
      s.end();
    });
    s.on('error', () => resolve());
    s.on('close', () => resolve());
  });
  bytes += stream.length;
}
process.stdout.write(
  `${JSON.stringify({ sent, bytes, tcpConnections, seconds: (performance.now() - started) / 1000 })}\n`,
);
