import assert from 'node:assert/strict';
import { test } from 'node:test';
import { prng } from '../../../test/lib/prng.ts';
import { extractMac, parseSyslog } from './message.ts';

const parse = (s: string | Buffer) => {
  const r = parseSyslog(typeof s === 'string' ? Buffer.from(s) : s);
  if (!r.ok) assert.fail(`refused: ${r.error}`);
  return r.value;
};

test('RFC 3164 as util-linux logger sends it: PRI, timestamp, hostname, tag[pid], text', () => {
  const m = parse(
    '<134>Dec  1 20:30:00 phone1 cfg[42]: Prov|Starting to provision\n',
  );
  assert.equal(m.format, 'rfc3164');
  assert.equal(m.facility, 16);
  assert.equal(m.severity, 6);
  assert.equal(m.timestamp, 'Dec  1 20:30:00');
  assert.equal(m.hostname, 'phone1');
  assert.equal(m.app, 'cfg');
  assert.equal(m.procId, '42');
  assert.equal(m.text, 'Prov|Starting to provision');
  assert.equal(m.mac, undefined);
});

test('RFC 3164 without hostname, without timestamp, and with no PRI at all (default 13)', () => {
  assert.deepEqual(
    [
      parse('<13>Dec 11 01:02:03 app: hi').hostname,
      parse('<13>Dec 11 01:02:03 app: hi').app,
    ],
    [undefined, 'app'],
  );
  const bare = parse('<165>just text');
  assert.equal(bare.text, 'just text');
  assert.equal(bare.facility, 20);
  const raw = parse('no pri here');
  assert.equal(raw.format, 'raw');
  assert.equal(raw.facility, 1);
  assert.equal(raw.severity, 5);
  assert.equal(parse('<999>x').format, 'raw'); // PRI over 191 is text
});

test('RFC 5424 with structured data (escaped bracket inside a quote), nil fields and a BOM', () => {
  const m = parse(
    '<165>1 2026-12-01T20:30:00.123Z host app 77 ID47 [ex@1 a="x\\]y"][b@2 c="d"] \ufeffhello world',
  );
  assert.partialDeepStrictEqual(m, {
    format: 'rfc5424',
    timestamp: '2026-12-01T20:30:00.123Z',
    hostname: 'host',
    app: 'app',
    procId: '77',
    msgId: 'ID47',
    structuredData: '[ex@1 a="x\\]y"][b@2 c="d"]',
    text: 'hello world',
  });
  const n = parse('<13>1 - - - - - -');
  assert.deepEqual(
    [n.timestamp, n.hostname, n.app, n.structuredData, n.text],
    [undefined, undefined, undefined, undefined, ''],
  );
  assert.equal(
    parse('<13>1 2026-12-01T00:00:00Z h a - - [unterminated msg').text,
    '[unterminated msg',
  );
});

test('the prepended MAC is found in front of the text, as hostname or tag, in any common spelling', () => {
  assert.equal(
    parse('<134>Dec  1 20:30:00 host root: 0004f28062d6 boot').mac,
    '0004f28062d6',
  );
  assert.equal(
    parse('<134>Dec  1 20:30:00 host 0004F28062D6|cfg |Prov|x').mac,
    '0004f28062d6',
  );
  assert.equal(parse('<134>0004f28062d6: text').mac, '0004f28062d6');
  assert.equal(
    parse('<134>Dec  1 20:30:00 00:04:f2:80:62:d6 app: x').mac,
    '0004f28062d6',
  );
  assert.equal(parse('<165>1 - 0004f28062d6 app - - - x').mac, '0004f28062d6');
  assert.equal(
    parse('<165>1 - h app - - - [0004f28062d6] x').mac,
    '0004f28062d6',
  );
  assert.equal(extractMac('000000000000 master'), undefined);
  assert.equal(extractMac('0004f28062d6x'), undefined);
  assert.equal(extractMac('0004f28062'), undefined);
});

test('empty and binary datagrams are typed errors; trailing LF / CR LF / NUL are not part of the message', () => {
  assert.deepEqual(parseSyslog(Buffer.alloc(0)), {
    ok: false,
    error: 'SYSLOG_EMPTY',
  });
  assert.deepEqual(parseSyslog(Buffer.from(' \n\0')), {
    ok: false,
    error: 'SYSLOG_EMPTY',
  });
  assert.deepEqual(parseSyslog(Buffer.from('<13>a\0b')), {
    ok: false,
    error: 'SYSLOG_BINARY',
  });
  assert.deepEqual(parseSyslog(Buffer.from([0x3c, 0x31, 0x3e, 0x1b, 0x5b])), {
    ok: false,
    error: 'SYSLOG_BINARY',
  });
  assert.equal(parse('<13>x\r\n').text, 'x');
  assert.equal(
    parse(Buffer.from([0x3c, 0x31, 0x33, 0x3e, 0xff, 0xfe])).text,
    '\ufffd\ufffd',
  ); // bad UTF-8 replaced
});

test('fuzz: 20,000 seeded mutations of real lines never throw and keep facility/severity in range', () => {
  const seeds = [
    '<134>Dec  1 20:30:00 host cfg[1]: 0004f28062d6 Prov|x',
    '<165>1 2026-12-01T20:30:00Z h a 1 m [x@1 k="v\\""] msg',
    '<13>1 - - - - - -',
    'plain',
  ];
  const rnd = prng(0x5151_0001);
  for (let i = 0; i < 20_000; i++) {
    const base = Buffer.from(seeds[i % seeds.length]!);
    const b = Buffer.from(
      base.subarray(0, Math.floor(rnd() * (base.length + 1))),
    );
    for (let k = Math.floor(rnd() * 4); k > 0 && b.length > 0; k--)
      b[Math.floor(rnd() * b.length)] = Math.floor(rnd() * 256);
    let r: ReturnType<typeof parseSyslog>;
    try {
      r = parseSyslog(b);
    } catch (e) {
      assert.fail(`seed 0x51510001 #${i} threw: ${String(e)}`);
    }
    if (r.ok) {
      assert.ok(
        r.value.facility >= 0 &&
          r.value.facility <= 23 &&
          r.value.severity >= 0 &&
          r.value.severity <= 7,
        `#${i}`,
      );
      assert.equal(typeof r.value.text, 'string');
    } else assert.ok(r.error === 'SYSLOG_EMPTY' || r.error === 'SYSLOG_BINARY');
  }
});
