import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  type DecodeErrorCode,
  decode,
  encode,
  encodeData,
  format,
} from './packet.ts';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');

test('decodes an RRQ with options in order, names as sent', () => {
  const b = Buffer.from(
    '\x00\x01sip.ld\x00octet\x00BLKSIZE\x001468\x00tsize\x000\x00',
    'latin1',
  );
  const p = decode(b);
  assert.deepEqual(p, {
    ok: true,
    value: {
      op: 'rrq',
      filename: 'sip.ld',
      mode: 'octet',
      options: [
        { name: 'BLKSIZE', value: '1468' },
        { name: 'tsize', value: '0' },
      ],
    },
  });
  assert.deepEqual(encode(p.ok ? p.value : assert.fail()), b);
});

test('golden encodings', () => {
  assert.deepEqual(encode({ op: 'ack', block: 65535 }), hex('0004 ffff'));
  assert.deepEqual(
    encode({ op: 'data', block: 65536 + 7, data: Buffer.from('hi') }),
    hex('0003 0007 6869'),
  );
  assert.deepEqual(encodeData(1, Buffer.alloc(0)), hex('0003 0001'));
  assert.deepEqual(
    encode({ op: 'error', code: 5, message: 'unknown transfer ID' }),
    Buffer.concat([hex('0005 0005'), Buffer.from('unknown transfer ID\0')]),
  );
  assert.deepEqual(
    encode({ op: 'oack', options: [{ name: 'blksize', value: '1468' }] }),
    Buffer.from('\x00\x06blksize\x001468\x00', 'latin1'),
  );
});

test('refuses runts and garbage with typed errors', () => {
  const refused: Record<DecodeErrorCode, string[]> = {
    TFTP_RUNT: ['', '00', '0004 00', '0003 01', '0005 00'],
    TFTP_BAD_OPCODE: ['0009 0000', '0000'],
    TFTP_MALFORMED: [
      '0004 0001 00',
      '0001 6100', // filename without mode
      '0001 61006f6374657400626c6b73697a6500', // option without value
      '0001 61006f63746574', // mode not terminated
      '0001 006f6374657400', // empty filename
      '0006 6100',
      '0005 0001 6100 62',
    ],
  };
  for (const [code, inputs] of Object.entries(refused))
    for (const h of inputs) {
      const r = decode(hex(h));
      assert.equal(r.ok, false, h);
      if (!r.ok) assert.equal(r.error.code, code, h);
    }
});

test('ERROR without its final NUL is accepted; DATA may be empty; invalid UTF-8 falls back to Latin-1', () => {
  assert.deepEqual(decode(Buffer.from('\x00\x05\x00\x01nope', 'latin1')), {
    ok: true,
    value: { op: 'error', code: 1, message: 'nope' },
  });
  const d = decode(hex('0003 ffff'));
  assert.ok(
    d.ok &&
      d.value.op === 'data' &&
      d.value.block === 65535 &&
      d.value.data.length === 0,
  );
  const r = decode(hex('0002 ff2e2e00 6f6374657400'));
  assert.ok(r.ok && r.value.op === 'wrq' && r.value.filename === '\u00ff..');
  assert.equal(format(r.ok ? r.value : assert.fail()), 'WRQ "ÿ.." octet');
});
