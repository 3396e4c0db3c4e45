/** The inventory records phones, not noise: the evidence rule, the aggregate counts and the cap with eviction. */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { labModel } from '../../test/lib/admin/fixture.ts';
import {
  decodeVendorClass,
  encodePolycomVendorClass,
} from '../policy/vendor-class.ts';
import type { DhcpEvent, TransferEvent } from '../runtime/events.ts';
import type { Mac } from '../shared/mac.ts';
import { createInventory } from './inventory.ts';

const model = labModel();
const ref = { current: () => model };
const polycomVendor = decodeVendorClass(
  encodePolycomVendorClass({
    company: 'Polycom',
    model: 'VVX-VVX_410',
    partNumber: '3111-46162-001',
  }),
);
const otherVendor = decodeVendorClass(Buffer.from('MSFT 5.0', 'latin1'));
const discover = (mac: string, polycom: boolean): DhcpEvent => ({
  type: 'dhcp',
  message: 'DISCOVER',
  reply: 'OFFER',
  mac: mac as Mac,
  site: 'hq',
  address: undefined,
  labels: {},
  vendor: polycom ? polycomVendor : otherVendor,
  result: 'ok',
});
const get = (mac: string, userAgent?: string): TransferEvent => ({
  type: 'transfer',
  protocol: 'http',
  direction: 'download',
  peer: '10.91.10.7',
  mac: mac as Mac,
  path: `${mac}-appliance.cfg`,
  bytes: 80,
  durationMs: 1,
  result: 'ok',
  ...(userAgent ? { userAgent } : {}),
});

test('only MACs with a Polycom vendor class, OUI or User-Agent, or listed in appliance.yaml, get a record; the rest are counted', () => {
  const inv = createInventory({ model: ref });
  const listed = [...model.phones.keys()][0]!;
  inv.apply(discover('a0b1c2000001', false)); // random MAC, not Polycom: noise
  inv.apply(discover('a0b1c2000002', true)); // Polycom vendor class
  inv.apply(get('a0b1c2000003')); // GET of any MAC's -appliance.cfg: noise
  inv.apply(
    get(
      'a0b1c2000004',
      'FileTransport PolycomVVX-VVX_410-UA/5.9.7.4477 Type/Application',
    ),
  ); // Polycom UA
  inv.apply(get('64167f000005')); // Polycom OUI
  inv.apply(get(listed)); // listed in appliance.yaml
  const rev = inv.revision();
  inv.apply(get('a0b1c2000003')); // noise does not count as a change (nothing to save)
  assert.equal(inv.revision(), rev);
  assert.deepEqual(
    inv
      .list()
      .map((p) => p.mac)
      .sort(),
    ['64167f000005', 'a0b1c2000002', 'a0b1c2000004', listed].sort(),
  );
  assert.deepEqual(inv.noise(), { dhcp: 1, transfers: 2, evicted: 0 });
  // Once recorded, a phone's later events are recorded however they look.
  inv.apply(get('a0b1c2000002'));
  assert.equal(inv.get('a0b1c2000002')!.downloads, 1);
});

test('at the cap the unknown phone seen longest ago goes; phones listed in appliance.yaml stay', () => {
  let t = 0;
  const inv = createInventory({ model: ref, maxPhones: 50, now: () => ++t });
  const listed = [...model.phones.keys()];
  for (const m of listed) inv.apply(get(m));
  for (let i = 0; i < 500; i++)
    inv.apply(discover(`0004f2ff${i.toString(16).padStart(4, '0')}`, true));
  inv.apply(get('0004f2ff01f0')); // one of the newest, seen again
  assert.equal(inv.list().length, 50);
  for (const m of listed) assert.ok(inv.get(m), `${m} (listed) kept`);
  assert.ok(
    inv.get('0004f2ff01f3') && !inv.get('0004f2ff0000'),
    'the newest kept, the oldest gone',
  );
  assert.equal(inv.noise().evicted, 500 + listed.length - 50);
  // A restored snapshot over the cap is cut the same way.
  const again = createInventory({
    model: ref,
    maxPhones: 20,
    restore: inv.snapshot(),
  });
  assert.equal(again.list().length, 20);
  for (const m of listed) assert.ok(again.get(m));
});
