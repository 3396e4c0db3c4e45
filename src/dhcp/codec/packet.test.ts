import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  dhclientDiscover,
  polycomDiscover,
  polycomInform,
  udhcpcDiscover,
} from '../../../test/lib/dhcp-seeds.ts';
import {
  type DhcpPacket,
  emptyPacket,
  MessageType,
  macOf,
  replyTo,
} from './packet.ts';
import { type DecodeErrorCode, decodePacket } from './packet-decode.ts';
import { encodePacket } from './packet-encode.ts';

/** 236-byte header (op 1, Ethernet), cookie, then the given option bytes. */
function raw(
  optionBytes: number[],
  patch?: (b: Uint8Array) => void,
): Uint8Array {
  const b = new Uint8Array(240 + optionBytes.length);
  b[0] = 1;
  b[1] = 1;
  b[2] = 6;
  b.set([0x63, 0x82, 0x53, 0x63], 236);
  b.set(optionBytes, 240);
  patch?.(b);
  return b;
}

function decoded(b: Uint8Array): DhcpPacket {
  const r = decodePacket(b);
  if (!r.ok) assert.fail(`${r.error.code}: ${r.error.message}`);
  return r.value;
}

const entries = (p: DhcpPacket): Array<[number, number[]]> =>
  [...p.options].map(([k, v]) => [k, Array.from(v)]);

test('seed packets survive encode → decode with every field', () => {
  for (const p of [
    dhclientDiscover(),
    udhcpcDiscover(),
    polycomDiscover(),
    polycomInform(),
  ]) {
    const d = decoded(encodePacket(p));
    const { options, chaddr, ...rest } = d;
    const { options: o2, chaddr: c2, ...rest2 } = p;
    assert.deepEqual(rest, rest2);
    assert.deepEqual(Array.from(chaddr), Array.from(c2));
    assert.deepEqual(
      new Map(entries(d)),
      new Map([...o2].map(([k, v]) => [k, Array.from(v)] as const)),
    );
  }
});

test('header fields are read big-endian at their RFC 2131 offsets', () => {
  const b = raw([53, 1, 3, 255], (b) => {
    b[3] = 2;
    b.set([0xde, 0xad, 0xbe, 0xef, 0x00, 0x0a, 0x80, 0x00], 4);
    b.set([10, 0, 0, 1, 10, 0, 0, 2, 10, 0, 0, 3, 192, 168, 255, 254], 12);
    b.set([0x00, 0x04, 0xf2, 0x80, 0x62, 0xd6], 28);
  });
  const p = decoded(b);
  assert.equal(p.hops, 2);
  assert.equal(p.xid, 0xdeadbeef);
  assert.equal(p.secs, 10);
  assert.equal(p.flags, 0x8000);
  assert.equal(p.ciaddr, 0x0a000001);
  assert.equal(p.yiaddr, 0x0a000002);
  assert.equal(p.siaddr, 0x0a000003);
  assert.equal(p.giaddr, 0xc0a8fffe);
  assert.equal(macOf(p), '0004f28062d6');
  assert.equal(p.chaddr.length, 16);
});

test('pad bytes before, between and after options are skipped', () => {
  const p = decoded(raw([0, 0, 53, 1, 1, 0, 0, 0, 55, 2, 1, 3, 0, 255]));
  assert.deepEqual(entries(p), [
    [53, [1]],
    [55, [1, 3]],
  ]);
});

test('the end option stops parsing: trailing bytes (padding or junk) are ignored', () => {
  const p = decoded(raw([53, 1, 1, 255, 99, 200, 1, 2, 3]));
  assert.deepEqual(entries(p), [[53, [1]]]);
});

test('repeated options are concatenated in order (RFC 3396)', () => {
  const p = decoded(
    raw([53, 1, 1, 43, 2, 1, 2, 55, 1, 6, 43, 3, 3, 4, 5, 43, 0, 255]),
  );
  assert.deepEqual(entries(p), [
    [53, [1]],
    [43, [1, 2, 3, 4, 5]],
    [55, [6]],
  ]);
});

test('zero-length options are kept', () => {
  const p = decoded(raw([80, 0, 53, 1, 1, 255]));
  assert.deepEqual(entries(p), [
    [80, []],
    [53, [1]],
  ]);
  assert.deepEqual(entries(decoded(encodePacket(p))), [
    [53, [1]],
    [80, []],
  ]);
});

test('option overload 52: options continue in file (1), sname (2) or both (3), in that order', () => {
  const withFields = (v: number) =>
    raw([53, 1, 1, 52, 1, v, 43, 1, 0xaa, 255], (b) => {
      b.set([43, 1, 0xbb, 12, 2, 0x68, 0x69, 255], 108); // file
      b.set([43, 1, 0xcc, 15, 1, 0x78, 255], 44); // sname
    });
  // overload value → the merged options, and the file and sname text left.
  const cases: [number, Array<[number, number[]]>, string, string][] = [
    [
      3,
      [
        [53, [1]],
        [43, [0xaa, 0xbb, 0xcc]],
        [12, [0x68, 0x69]],
        [15, [0x78]],
      ],
      '',
      '',
    ],
    [
      1,
      [
        [53, [1]],
        [43, [0xaa, 0xbb]],
        [12, [0x68, 0x69]],
      ],
      '',
      '+\x01\xcc\x0f\x01x\xff',
    ],
    [
      2,
      [
        [53, [1]],
        [43, [0xaa, 0xcc]],
        [15, [0x78]],
      ],
      '+\x01\xbb\x0c\x02hi\xff',
      '',
    ],
  ];
  for (const [v, want, file, sname] of cases) {
    const p = decoded(withFields(v));
    assert.deepEqual(entries(p), want);
    assert.equal(p.file, file);
    assert.equal(p.sname, sname);
  }
  const both = decoded(withFields(3));
  // The merged options re-encode into the options field alone, with no option 52.
  assert.deepEqual(entries(decoded(encodePacket(both))), entries(both));
});

/** A DISCOVER whose option 52 says `overload`, with `bytes` written into its header at `at`. */
const overloaded = (overload: number, bytes: number[], at: number) =>
  raw([53, 1, 1, 52, 1, overload, 255], (b) => b.set(bytes, at));

test('overloaded fields may end without 255 (pads to the field end); an overrun there is an error', () => {
  const p = decoded(overloaded(1, [12, 1, 0x41], 108));
  assert.deepEqual(entries(p), [
    [53, [1]],
    [12, [0x41]],
  ]);
  const bad = decodePacket(overloaded(1, [12, 9, 0x41], 230));
  assert.equal(bad.ok ? '' : bad.error.code, 'DHCP_OPTION_OVERRUN');
});

test('a malformed option 52 is kept raw and the fields stay text', () => {
  const p = decoded(overloaded(7, [0x70, 0x78, 0x65], 108));
  assert.deepEqual(entries(p), [
    [53, [1]],
    [52, [7]],
  ]);
  assert.equal(p.file, 'pxe');
});

test('sname and file are NUL-trimmed latin1; a field without NUL is read whole', () => {
  const p = decoded(
    raw([255], (b) => {
      b.set(Buffer.from('boot-srv\0junk', 'latin1'), 44);
      b.fill(0x61, 108, 236);
    }),
  );
  assert.equal(p.sname, 'boot-srv');
  assert.equal(p.file, 'a'.repeat(128));
  const e = decoded(encodePacket(p));
  assert.equal(e.sname, 'boot-srv');
  assert.equal(e.file, 'a'.repeat(128));
});

test('decode errors carry stable codes', () => {
  const code = (b: Uint8Array): DecodeErrorCode | 'ok' => {
    const r = decodePacket(b);
    return r.ok ? 'ok' : r.error.code;
  };
  assert.equal(code(new Uint8Array(0)), 'DHCP_TOO_SHORT');
  assert.equal(code(raw([255]).subarray(0, 239)), 'DHCP_TOO_SHORT');
  assert.equal(code(raw([255], (b) => (b[0] = 3))), 'DHCP_BAD_OP');
  assert.equal(code(raw([255], (b) => (b[2] = 17))), 'DHCP_BAD_HLEN');
  assert.equal(code(raw([255], (b) => (b[2] = 16))), 'ok');
  assert.equal(code(raw([255], (b) => (b[239] = 0x64))), 'DHCP_BAD_COOKIE');
  assert.equal(code(raw([53, 5, 1, 255])), 'DHCP_OPTION_OVERRUN');
  assert.equal(code(raw([53])), 'DHCP_OPTION_OVERRUN');
  assert.equal(code(raw([53, 1, 1])), 'DHCP_NO_END');
  assert.equal(code(raw([53, 1, 1, 0, 0])), 'DHCP_NO_END');
  const r = decodePacket(raw([53, 1, 1, 60, 9, 1]));
  assert.deepEqual(r.ok ? undefined : r.error.offset, 243);
});

test('decoding works on a view into a larger buffer (byteOffset ≠ 0)', () => {
  const b = raw([53, 1, 8, 255], (b) => b.set([1, 2, 3, 4], 4));
  const big = new Uint8Array(b.length + 10);
  big.set(b, 7);
  const p = decoded(big.subarray(7, 7 + b.length));
  assert.equal(p.xid, 0x01020304);
  assert.deepEqual(entries(p), [[53, [8]]]);
});

test('encode: option 53 first, the Map order, option 82 last, then end and zero padding to 300', () => {
  const p = emptyPacket(2);
  p.options.set(82, Uint8Array.of(1, 1, 9));
  p.options.set(54, Uint8Array.of(10, 0, 0, 1));
  p.options.set(53, Uint8Array.of(MessageType.OFFER));
  p.options.set(1, Uint8Array.of(255, 255, 255, 0));
  const b = encodePacket(p);
  assert.equal(b.length, 300);
  assert.deepEqual(
    Array.from(b.subarray(240, 240 + 21)),
    [53, 1, 2, 54, 4, 10, 0, 0, 1, 1, 4, 255, 255, 255, 0, 82, 3, 1, 1, 9, 255],
  );
  assert.ok(b.subarray(261).every((x) => x === 0));
  assert.deepEqual(Array.from(b.subarray(236, 240)), [0x63, 0x82, 0x53, 0x63]);
  assert.equal(encodePacket(p, { minSize: 0 }).length, 261);
  assert.equal(encodePacket(p, { minSize: 576 }).length, 576);
});

test('encode: a value over 255 bytes is split into consecutive instances and decodes back whole', () => {
  const long = Uint8Array.from({ length: 600 }, (_, i) => i & 255);
  const p = emptyPacket(2);
  p.options.set(53, Uint8Array.of(2));
  p.options.set(43, long);
  p.options.set(255, Uint8Array.of(1)); // not encodable: skipped
  p.options.set(0, Uint8Array.of(1));
  const b = encodePacket(p, { minSize: 0 });
  assert.equal(b.length, 240 + 3 + (2 + 255) * 2 + (2 + 90) + 1);
  assert.deepEqual([b[243], b[244]], [43, 255]);
  assert.deepEqual([b[243 + 257], b[244 + 257]], [43, 255]);
  assert.deepEqual([b[243 + 514], b[244 + 514]], [43, 90]);
  assert.deepEqual(Array.from(decoded(b).options.get(43)!), Array.from(long));
  assert.deepEqual([...decoded(b).options.keys()], [53, 43]);
});

test('encode is deterministic and truncates numbers to field widths', () => {
  const p = polycomDiscover();
  assert.deepEqual(encodePacket(p), encodePacket(p));
  p.xid = 2 ** 32 + 5;
  p.secs = 0x12345;
  assert.equal(decoded(encodePacket(p)).xid, 5);
  assert.equal(decoded(encodePacket(p)).secs, 0x2345);
});

test('replyTo copies the RFC 2131 bookkeeping and echoes options 61 and 82', () => {
  const req = polycomInform();
  const ack = replyTo(req, MessageType.ACK);
  assert.equal(ack.op, 2);
  assert.equal(ack.xid, req.xid);
  assert.equal(ack.flags, req.flags);
  assert.equal(ack.giaddr, req.giaddr);
  assert.equal(ack.ciaddr, req.ciaddr);
  assert.equal(ack.hops, 0);
  assert.equal(ack.yiaddr, 0);
  assert.deepEqual(Array.from(ack.chaddr), Array.from(req.chaddr));
  assert.notEqual(ack.chaddr, req.chaddr);
  assert.deepEqual([...ack.options.keys()], [53, 61, 82]);
  assert.deepEqual(Array.from(ack.options.get(53)!), [5]);
  const wire = encodePacket(ack);
  const last = 240 + 3 + 9; // 53, then 61 (7 bytes)
  assert.equal(wire[last], 82);
  const nak = replyTo(req, MessageType.NAK);
  assert.equal(nak.ciaddr, 0);
  const offer = replyTo(dhclientDiscover(), MessageType.OFFER);
  assert.deepEqual([...offer.options.keys()], [53]);
});
