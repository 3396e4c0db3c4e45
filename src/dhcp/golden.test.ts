/**
 * Golden bytes of engine replies (OFFER to a binary-option-60 SoundPoint, INFORM ACK): any change to option
 * order, padding or values shows up as a diff. Regenerate with UPDATE_GOLDEN=1 after checking the change.
 */

import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { dhcpLabModel as labModel } from '../../test/lib/dhcp-fixture.ts';
import {
  ipn,
  request,
  SPIP601_VENDOR_CLASS,
} from '../../test/lib/dhcp-packets.ts';
import { readGolden, updatingGolden } from '../../test/lib/golden.ts';
import { MessageType } from './codec/packet.ts';
import { encodePacket } from './codec/packet-encode.ts';
import { decide } from './engine.ts';
import { labelsOf } from './labels.ts';
import { createLeaseTable } from './leases/table.ts';

const model = labModel();
const cases = {
  'offer-spip601': request(MessageType.DISCOVER, {
    mac: '0004f2123456',
    xid: 0xcafe0001,
    vendorClass: SPIP601_VENDOR_CLASS,
    prl: [1, 28, 160, 66, 3, 4, 42, 2, 6, 15],
  }),
  'inform-ack': request(MessageType.INFORM, {
    mac: '0004f2123457',
    xid: 0xcafe0002,
    ciaddr: '10.91.2.77',
    prl: [66, 160],
  }),
};

for (const [name, req] of Object.entries(cases)) {
  test(`golden reply: ${name}`, () => {
    const d = decide({
      req,
      model,
      labels: labelsOf(req).labels,
      now: 1_700_000_000_000,
      leases: createLeaseTable(),
      serverIp: ipn('10.91.2.1'),
    });
    const hex = `${encodePacket(d.reply!.packet)
      .toString('hex')
      .replace(/(.{64})/g, '$1\n')
      .trim()}\n`;
    const file = join(import.meta.dirname, 'testdata', `${name}.golden.hex`);
    if (updatingGolden()) writeFileSync(file, hex);
    assert.equal(hex, readGolden(file));
  });
}
