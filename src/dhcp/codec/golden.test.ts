/**
 * Golden wire bytes: encoded replies and the request seeds, compared byte for byte with
 * src/dhcp/testdata/<name>.hex. Regenerate with UPDATE_GOLDEN=1 node --test src/dhcp/codec/golden.test.ts
 */

import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  polycomDiscover,
  polycomInform,
  seedPackets,
} from '../../../test/lib/dhcp-seeds.ts';
import { readGolden, updatingGolden } from '../../../test/lib/golden.ts';
import type { OptionValue } from '../../config/model.ts';
import { encodeOptionValue } from '../configured-options.ts';
import { formatPacket } from './format.ts';
import { hexDump, parseHexDump } from './hex-dump.ts';
import { bootServer } from './options.ts';
import { type DhcpPacket, MessageType, replyTo } from './packet.ts';
import { decodePacket } from './packet-decode.ts';
import { encodePacket } from './packet-encode.ts';
import { encodeSubOptions, encodeVivso } from './sub-options.ts';
import { vlanDiscovery } from './vlan.ts';

const DIR = join(import.meta.dirname, '..', 'testdata');
const text = (s: string) => Uint8Array.from(Buffer.from(s, 'latin1'));

function must<T>(r: { ok: true; value: T } | { ok: false; error: string }): T {
  if (!r.ok) assert.fail(r.error);
  return r.value;
}

function set(p: DhcpPacket, ...values: OptionValue[]): void {
  for (const v of values) p.options.set(v.code, must(encodeOptionValue(v)));
}

const URL = 'ftp://PlcmSpIp:PlcmSpIp@10.91.1.1/hq';

function offer(): Buffer {
  const p = replyTo(polycomDiscover(), MessageType.OFFER);
  p.yiaddr = 0x0a5b0139; // 10.91.1.57
  p.siaddr = 0x0a5b0101;
  set(
    p,
    { code: 54, type: 'ip', value: '10.91.1.1' },
    { code: 51, type: 'u32', value: 3600 },
    { code: 1, type: 'ip', value: '255.255.255.0' },
    { code: 3, type: 'ips', value: ['10.91.1.254'] },
    { code: 6, type: 'ips', value: ['10.91.1.53', '10.91.1.54'] },
    { code: 15, type: 'string', value: 'phones.example' },
    { code: 42, type: 'ips', value: ['10.91.1.1'] },
    { code: 2, type: 'i32', value: -21600 },
  );
  p.options.set(66, must(bootServer(URL)));
  p.options.set(160, must(bootServer(URL)));
  p.options.set(128, must(bootServer(vlanDiscovery([200, 300]))));
  p.options.set(
    43,
    must(
      encodeSubOptions([
        [1, text('10.91.1.1')],
        [2, Uint8Array.of(0, 1)],
      ]),
    ),
  );
  p.options.set(
    125,
    must(encodeVivso([{ enterprise: 13885, subOptions: [[1, text(URL)]] }])),
  );
  return encodePacket(p);
}

function informAck(): Buffer {
  const p = replyTo(polycomInform(), MessageType.ACK);
  set(
    p,
    { code: 54, type: 'ip', value: '10.91.1.1' },
    { code: 1, type: 'ip', value: '255.255.255.0' },
    { code: 3, type: 'ips', value: ['10.91.1.254'] },
    { code: 2, type: 'i32', value: -21600 },
  );
  p.options.set(66, must(bootServer(URL)));
  p.options.set(160, must(bootServer(URL)));
  return encodePacket(p);
}

function nak(): Buffer {
  const req = polycomDiscover();
  req.options.set(53, Uint8Array.of(MessageType.REQUEST));
  const p = replyTo(req, MessageType.NAK);
  set(
    p,
    { code: 54, type: 'ip', value: '10.91.1.1' },
    { code: 56, type: 'string', value: 'requested address not available' },
  );
  return encodePacket(p);
}

const cases: Array<[string, () => Buffer]> = [
  ['offer-polycom', offer],
  ['inform-ack-polycom', informAck],
  ['nak', nak],
  ...seedPackets().map(([name, b]): [string, () => Buffer] => [name, () => b]),
];

for (const [name, build] of cases) {
  test(`golden ${name}.hex`, () => {
    const bytes = build();
    const decoded = decodePacket(bytes);
    assert.ok(decoded.ok, `${name} must decode`);
    const file = join(DIR, `${name}.hex`);
    if (updatingGolden()) {
      writeFileSync(
        file,
        hexDump(
          bytes,
          `${formatPacket(decoded.value)}\n${bytes.length} bytes; regenerate with UPDATE_GOLDEN=1 node --test src/dhcp/codec/golden.test.ts`,
        ),
      );
      return;
    }
    const want = must(parseHexDump(readGolden(file)));
    let at = 0;
    while (at < Math.min(want.length, bytes.length) && want[at] === bytes[at])
      at++;
    assert.ok(
      at === want.length && at === bytes.length,
      `${name}: bytes differ from the golden file at offset ${at} (got ${bytes.length} bytes, golden ${want.length})`,
    );
  });
}

test('golden OFFER carries option 2 as ff ff ab a0 and the VLAN string', () => {
  const b = offer();
  assert.ok(b.includes(Buffer.from([2, 4, 0xff, 0xff, 0xab, 0xa0])));
  assert.ok(b.includes(Buffer.from('\x80\x0fVLAN-A=200+300;', 'latin1')));
  assert.equal(b.length, 470); // over 300: no padding
});
