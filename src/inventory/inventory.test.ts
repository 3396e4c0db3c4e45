import assert from 'node:assert/strict';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { labModel } from '../../test/lib/admin/fixture.ts';
import { tempDir } from '../../test/lib/temp-dir.ts';
import type { Labels } from '../policy/labels.ts';
import { parseUserAgent } from '../policy/user-agent.ts';
import {
  decodeVendorClass,
  encodePolycomVendorClass,
  type VendorLabels,
} from '../policy/vendor-class.ts';
import type { DhcpEvent, TransferEvent } from '../runtime/events.ts';
import { silentLogger } from '../shared/log.ts';
import type { Mac } from '../shared/mac.ts';
import { createInventory } from './inventory.ts';
import {
  createPersister,
  INVENTORY_FILE,
  loadInventoryFile,
} from './persist.ts';

const model = labModel();
const ref = { current: () => model };

/** Option 60 as the DHCP server decodes it from what a phone sends: the binary form for the ';'-joined text. */
const vendorOf = (text: string | undefined): VendorLabels => {
  if (text === undefined) return decodeVendorClass(undefined);
  if (!text.includes(';'))
    return decodeVendorClass(Buffer.from(text, 'latin1'));
  const [company, model, partNumber, appVersion, bootVersion] = text.split(';');
  return decodeVendorClass(
    encodePolycomVendorClass({
      company,
      model: model!,
      partNumber,
      appVersion,
      bootVersion,
    }),
  );
};
const dhcp = (
  mac: string,
  message: string,
  reply: string | undefined,
  labels: Labels,
  address?: string,
  result = 'ok',
): DhcpEvent => ({
  type: 'dhcp',
  message,
  reply,
  mac: mac as Mac,
  site: 'hq',
  address,
  labels,
  vendor: vendorOf(labels.vendorClass),
  result,
});
const xfer = (
  peer: string,
  path: string,
  o: Partial<TransferEvent> = {},
): TransferEvent => ({
  type: 'transfer',
  protocol: 'http',
  direction: 'download',
  peer,
  mac: undefined,
  path,
  bytes: 100,
  durationMs: 1,
  result: 'ok',
  ...o,
});

/** A SoundPoint IP 650 in its bootROM stage (binary option 60, both sub-options BR/), then its application. */
const SPIP_TEXT_BR =
  'Polycom;SoundPointIP-SPIP_650;2345-12600-001,2;BR/4.0.0.0155/23-May-07 13:35;BR/4.0.0.0155/23-May-07 13:35';
const SPIP_TEXT_APP =
  'Polycom;SoundPointIP-SPIP_650;2345-12600-001,2;SIP/4.0.11.0593/26-Nov-20 13:35;BR/4.0.0.0155/23-May-07 13:35';

test('simulated boots: option-60 fields, lease, fetch and upload history, rollout', () => {
  let t = 1_000;
  const inv = createInventory({ model: ref, now: () => t++ });
  // VVX 410 (known, pinned in the yaml) with decoded labels as the DHCP server passes them.
  const vvxLabels = {
    vendorClass:
      'Polycom;VVX-VVX_410;3111-46162-001,1;SIP/5.8.0.1000/01-Jan-24 00:00;UP/5.8.0.1000/01-Jan-24 00:00',
    model: 'VVX410',
    partNumber: '3111-46162-001',
  };
  inv.apply(
    dhcp('0004f2a00001', 'DISCOVER', 'OFFER', vvxLabels, '10.91.10.100'),
  );
  inv.apply(dhcp('0004f2a00001', 'REQUEST', 'ACK', vvxLabels, '10.91.10.100'));
  inv.apply(
    xfer('10.91.10.100', '000000000000.cfg', {
      userAgent:
        'FileTransport PolycomVVX-VVX_410-UA/5.8.0.1000 Type/Application',
    }),
  );
  inv.apply(
    xfer('10.91.10.100', 'ucs-5.9.7/3111-46162-001.sip.ld', {
      bytes: 1_500_000,
      userAgent:
        'FileTransport PolycomVVX-VVX_410-UA/5.8.0.1000 Type/Application',
    }),
  );
  inv.apply(
    xfer('10.91.10.100', 'logs/0004f2a00001-boot.log', {
      direction: 'upload',
      mac: '0004f2a00001' as Mac,
    }),
  );
  // A new (unknown) SoundPoint with the ASCII-less binary form, only the joined text as labels.
  inv.apply(
    dhcp(
      '0004f2b00009',
      'REQUEST',
      'ACK',
      { vendorClass: SPIP_TEXT_BR },
      '10.91.10.101',
    ),
  );
  inv.apply(
    xfer('10.91.10.101', '2345-12600-001.bootrom.ld', {
      protocol: 'tftp',
      result: 'TREE_NOT_FOUND',
      bytes: 0,
    }),
  );

  const vvx = inv.get('0004f2a00001')!;
  assert.partialDeepStrictEqual(vvx, {
    known: true,
    label: 'Reception',
    model: 'VVX410',
    partNumber: '3111-46162-001',
    hardwareRevision: '1',
    appVersionString: 'SIP/5.8.0.1000/01-Jan-24 00:00',
    bootVersion: '5.8.0.1000',
    lease: { address: '10.91.10.100', at: 1_001 },
    runningVersion: '5.8.0.1000',
  });
  assert.deepEqual(Object.keys(vvx.files).sort(), [
    '000000000000.cfg',
    'logs/0004f2a00001-boot.log',
    'ucs-5.9.7/3111-46162-001.sip.ld',
  ]);
  assert.equal(vvx.downloads, 2);
  assert.equal(vvx.uploads, 1);
  assert.deepEqual(
    vvx.timeline.map((e) => `${e.kind} ${e.path ?? e.what} ${e.result}`),
    [
      'dhcp DISCOVER→OFFER ok',
      'dhcp REQUEST→ACK ok',
      'download 000000000000.cfg ok',
      'download ucs-5.9.7/3111-46162-001.sip.ld ok',
      'upload logs/0004f2a00001-boot.log ok',
    ],
  );
  assert.equal(
    inv.view('0004f2a00001')!.rollout,
    'in-progress',
    'image fetched, new version not reported yet',
  );
  assert.equal(inv.view('0004f2a00001')!.offeredVersion, '5.9.7.4477');
  // The phone reboots into the new application.
  inv.apply(
    xfer('10.91.10.100', '0004f2a00001.cfg', {
      userAgent:
        'FileTransport PolycomVVX-VVX_410-UA/5.9.7.4477 Type/Application',
    }),
  );
  assert.equal(inv.view('0004f2a00001')!.rollout, 'done');

  const sp = inv.get('0004f2b00009')!;
  assert.equal(sp.known, false);
  assert.equal(inv.view('0004f2b00009')!.state, 'new');
  assert.deepEqual(
    [
      sp.vendor,
      sp.model,
      sp.partNumber,
      sp.hardwareRevision,
      sp.bootVersion,
      sp.runningVersion,
    ],
    ['Polycom', 'SPIP650', '2345-12600-001', '2', '4.0.0.0155', undefined],
  );
  assert.equal(inv.view('0004f2b00009')!.rollout, 'failed');
  assert.equal(inv.view('0004f2b00009')!.offeredRelease, 'sp-4.0.11');
  assert.deepEqual(
    inv.errors().map((e) => [e.mac, e.code, e.path]),
    [['0004f2b00009', 'TREE_NOT_FOUND', '2345-12600-001.bootrom.ld']],
  );
  inv.apply(
    dhcp(
      '0004f2b00009',
      'REQUEST',
      'ACK',
      { vendorClass: SPIP_TEXT_APP },
      '10.91.10.101',
    ),
  );
  assert.equal(inv.get('0004f2b00009')!.runningVersion, '4.0.11.0593');
  assert.equal(inv.view('0004f2b00009')!.rollout, 'done');
});

test('a transfer from an address nobody holds is an error without a phone; ASCII option 60', () => {
  const inv = createInventory({ model: ref });
  inv.apply(xfer('10.9.9.9', 'nothing.cfg', { result: 'TREE_NOT_FOUND' }));
  assert.equal(inv.list().length, 0);
  assert.equal(inv.errors()[0]!.peer, '10.9.9.9');
  inv.apply(
    dhcp(
      '64167f000001',
      'INFORM',
      'ACK',
      { vendorClass: 'Polycom-VVX410' },
      '10.91.10.7',
    ),
  );
  assert.equal(inv.get('64167f000001')!.model, 'VVX410');
  assert.equal(
    inv.get('64167f000001')!.lease,
    undefined,
    'INFORM binds no lease',
  );
  assert.equal(inv.macForAddress('10.91.10.7'), '64167f000001');
});

test('User-Agent forms', () => {
  assert.deepEqual(
    parseUserAgent(
      'FileTransport PolycomSoundStationIP-SSIP_6000-UA/5.0.3.1667 Type/Updater',
    ),
    {
      family: 'SoundStationIP',
      uaToken: 'SSIP_6000',
      model: 'SSIP6000',
      version: '5.0.3.1667',
      stage: 'updater',
      serial: undefined,
    },
  );
  assert.equal(
    parseUserAgent(
      'FileTransport PolycomVVX-VVX_310-UA/4.1.4.7430_0004F2ABCDEF',
    )!.serial,
    '0004f2abcdef',
  );
  assert.equal(
    parseUserAgent('FileTransport PolycomSoundPointIP-SPIP_335-UA/3.2.1.0078')!
      .stage,
    undefined,
  );
  assert.equal(
    parseUserAgent(
      'FileTransport PolyEdge-Edge_E450-UA/8.0.0.15602 Type/Application',
    )!.model,
    'EdgeE450',
  );
  assert.equal(parseUserAgent('curl/8.0'), undefined);
  assert.equal(parseUserAgent(undefined), undefined);
});

test('persisted crash-safely and restored; a corrupt file is moved aside', async () => {
  const dir = tempDir('ops-inv-');
  const log = silentLogger();
  const inv = createInventory({ model: ref });
  const p = createPersister({
    dataDir: dir,
    snapshot: () => inv.snapshot(),
    log,
    debounceMs: 10_000,
  });
  inv.onChange(() => p.schedule());
  inv.apply(
    dhcp(
      '0004f2a00001',
      'REQUEST',
      'ACK',
      { vendorClass: SPIP_TEXT_APP },
      '10.91.10.100',
    ),
  );
  await p.flush();
  assert.equal(p.writes, 1);
  const back = createInventory({
    model: ref,
    restore: await loadInventoryFile(dir, log),
  });
  assert.equal(back.get('0004f2a00001')!.partNumber, '2345-12600-001');
  assert.equal(back.macForAddress('10.91.10.100'), '0004f2a00001');
  assert.deepEqual(
    (await readdir(dir)).sort(),
    [INVENTORY_FILE],
    'no temporary file left',
  );
  await writeFile(
    join(dir, INVENTORY_FILE),
    '{"version":1,"phones":[{"mac":"zz"}',
  );
  assert.equal(await loadInventoryFile(dir, log), undefined);
  assert.ok(
    (await readdir(dir)).some((f) =>
      f.startsWith(`${INVENTORY_FILE}.corrupt-`),
    ),
  );
  assert.ok(
    !(await readdir(dir)).includes(INVENTORY_FILE),
    'the corrupt file no longer blocks the next save',
  );
  assert.match(
    await readFile(
      join(dir, (await readdir(dir)).find((f) => f.includes('corrupt'))!),
      'utf8',
    ),
    /"zz"/,
    'kept for inspection',
  );
});

test('optional files missing are not errors; the lease decides the address', () => {
  const inv = createInventory({ model: ref });
  inv.apply(dhcp('0004f2a00001', 'REQUEST', 'ACK', {}, '10.91.10.100'));
  inv.apply(
    xfer('10.91.10.100', 'overrides/0004f2a00001-phone.cfg', {
      result: 'TREE_NOT_FOUND',
    }),
  );
  inv.apply(
    xfer('10.91.10.100', '0004f2a00001-license.cfg', {
      result: 'TREE_NOT_FOUND',
    }),
  );
  inv.apply(
    xfer('10.91.10.100', '0004f2a00001.cfg', { result: 'TREE_NOT_FOUND' }),
  );
  const p = inv.get('0004f2a00001')!;
  assert.equal(p.errors, 0);
  assert.equal(
    p.lastConfigFetch,
    undefined,
    'a missing <MAC>.cfg is not a configuration fetch',
  );
  assert.deepEqual(inv.errors(), []);
  assert.ok(
    p.timeline
      .slice(1)
      .every((t) => t.optional === true && t.result === 'TREE_NOT_FOUND'),
  );
  inv.apply(xfer('10.91.10.100', 'site.cfg', { result: 'TREE_NOT_FOUND' }));
  assert.equal(
    inv.get('0004f2a00001')!.errors,
    1,
    'a CONFIG_FILES entry missing is an error',
  );
  inv.apply(
    xfer('10.91.10.2', 'logs/0004f2a00001-app.log', {
      direction: 'upload',
      mac: '0004f2a00001' as Mac,
    }),
  );
  assert.equal(inv.get('0004f2a00001')!.address, '10.91.10.100');
  assert.equal(inv.macForAddress('10.91.10.2'), '0004f2a00001');
});

test("the DHCP leases say who holds an address; the inventory's own memory answers only where they know nobody", () => {
  const leases = {
    macForAddress: (ip: string) =>
      ip === '10.91.10.50' ? ('0004f2a00002' as Mac) : undefined,
  };
  const inv = createInventory({ model: ref, leases });
  inv.apply(dhcp('0004f2a00001', 'REQUEST', 'ACK', {}, '10.91.10.50')); // an old ACK: the address has moved on since
  inv.apply(dhcp('0004f2a00001', 'INFORM', 'ACK', {}, '10.91.10.60'));
  inv.apply(xfer('10.91.10.50', 'site.cfg'));
  inv.apply(xfer('10.91.10.60', 'common.cfg'));
  assert.equal(inv.macForAddress('10.91.10.50'), '0004f2a00002');
  assert.deepEqual(Object.keys(inv.get('0004f2a00002')!.files), ['site.cfg']);
  assert.deepEqual(Object.keys(inv.get('0004f2a00001')!.files), ['common.cfg']);
});
