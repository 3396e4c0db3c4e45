import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { labModel } from '../../test/lib/admin/fixture.ts';
import {
  VVX_UA as UA,
  VVX_VENDOR as vendor,
} from '../../test/lib/admin/inventory-at-cap.ts';
import { syslogEvent } from '../../test/lib/syslog-event.ts';
import { tempDir } from '../../test/lib/temp-dir.ts';
import type { ApplianceEvent } from '../runtime/events.ts';
import { silentLogger } from '../shared/log.ts';
import type { Mac } from '../shared/mac.ts';
import { createInventory, type InventorySnapshot } from './inventory.ts';
import { createPersister, INVENTORY_FILE } from './persist.ts';
import { PIECE_CHARS, snapshotJson } from './snapshot-json.ts';

const model = labModel();
/** Names no phone sends but JSON must escape or carry: quotes, backslash, controls, U+2028, astral, lone surrogate. */
const ODD = [
  'dir "quoted"/a\\b.cfg',
  'ctl\u0001\u001f\t\n.cfg',
  'line\u2028sep\u2029.cfg',
  'Zürich-☎-📞.cfg',
  'lone-\ud800-\udfff.cfg',
];

/** 300 phones through five boots as a storm gives them (DHCP, configuration, image, uploads), plus syslog. */
function realisticSnapshot(): InventorySnapshot {
  let t = 1_700_000_000_000;
  const inv = createInventory({
    model: { current: () => model },
    now: () => t++,
  });
  for (let i = 0; i < 300; i++) {
    const mac = `0004f2b${(i + 1).toString(16).padStart(5, '0')}` as Mac;
    const address = `10.91.${9 + (i >> 8)}.${i & 255}`;
    const x = (path: string, o: object = {}): ApplianceEvent => ({
      type: 'transfer',
      protocol: 'tftp',
      direction: 'download',
      peer: address,
      mac,
      path,
      bytes: 900,
      durationMs: 2,
      result: 'ok',
      userAgent: UA,
      ...o,
    });
    for (let boot = 0; boot < 5; boot++) {
      const events: ApplianceEvent[] = [
        ...(['DISCOVER', 'REQUEST'] as const).map((message) => ({
          type: 'dhcp' as const,
          message,
          reply: message === 'DISCOVER' ? 'OFFER' : 'ACK',
          mac,
          site: 'hq',
          address,
          labels: { model: 'VVX410' },
          vendor,
          result: 'ok',
        })),
        x('000000000000.cfg'),
        x(`${mac}.cfg`, { result: 'TREE_NOT_FOUND', bytes: 0 }),
        x(`${mac}-appliance.cfg`),
        x('ucs-5.9.7/3111-46162-001.sip.ld', { bytes: 51_362_816 }),
        x(`${mac}-app.log`, { direction: 'upload', bytes: 4000 }),
        x(ODD[(i + boot) % ODD.length]!, { result: 'TREE_NOT_FOUND' }),
        syslogEvent(
          mac,
          address,
          'sip',
          `Registrierung für „${2000 + i}" ✓ ${ODD[boot]}`,
          t,
        ),
      ];
      for (const e of events) inv.apply(e);
    }
  }
  inv.noteNotify('0004f2b00001', 'ADMIN_NOTIFY_TIMEOUT');
  return inv.snapshot();
}

test('the pieces join to JSON.stringify of a realistic inventory, byte for byte', () => {
  const snap = realisticSnapshot();
  const whole = JSON.stringify(snap);
  assert.ok(whole.length > 10 * PIECE_CHARS, 'big enough to be cut');
  assert.match(whole, /→/, 'DHCP entries (non-Latin-1 text)');
  assert.match(whole, /\\ud800/, 'a lone surrogate, escaped');
  const pieces = [...snapshotJson(snap)];
  assert.equal(pieces.join(''), whole);
  assert.equal(
    Buffer.concat(pieces.map((p) => Buffer.from(p))).compare(
      Buffer.from(whole),
    ),
    0,
    'the same UTF-8 bytes',
  );
  const longest = Math.max(...snap.phones.map((p) => JSON.stringify(p).length));
  for (const p of pieces.slice(0, -1)) {
    assert.ok(p.length >= PIECE_CHARS, `piece of ${p.length} chars`);
    assert.ok(p.length < PIECE_CHARS + longest + 2, 'at most one phone more');
  }
  // Cut everywhere: every element its own piece.
  assert.equal([...snapshotJson(snap, 1)].join(''), whole);
});

test('small and odd snapshots: empty arrays, members without a JSON form, holes', () => {
  const cases = [
    { version: 1, savedAt: 5, phones: [], errors: [] },
    { version: 1, savedAt: undefined, phones: [undefined, 1], errors: [] },
    {},
  ] as unknown as InventorySnapshot[];
  for (const c of cases) {
    assert.equal([...snapshotJson(c)].join(''), JSON.stringify(c));
    assert.equal([...snapshotJson(c, 1)].join(''), JSON.stringify(c));
  }
});

test('the persister writes that JSON: the file is JSON.stringify of the snapshot', async () => {
  const dir = tempDir('inv-pieces-');
  const snap = realisticSnapshot();
  const p = createPersister({
    dataDir: dir,
    snapshot: () => snap,
    log: silentLogger(),
  });
  p.schedule();
  await p.flush();
  assert.equal(p.writes, 1);
  assert.equal(
    await readFile(join(dir, INVENTORY_FILE), 'utf8'),
    JSON.stringify(snap),
  );
});
