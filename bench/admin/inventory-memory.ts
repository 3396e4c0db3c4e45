/**
 * What the inventory holds and what a save costs, in-process (bench only): rebuilds the inventory of a saved
 * inventory.json (a storm's, kept with STORM_KEEP_DATA) from the events its timelines record, reports the live
 * heap of the records (timelines, files, the rest; measured by dropping each in turn), then runs the persister's
 * save N times, sampling heap and RSS every millisecond while each runs.
 *   node --expose-gc --max-semi-space-size=4 --heap-growing-percent=20 bench/admin/inventory-memory.ts FILE [SAVES]
 */
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getHeapSpaceStatistics, getHeapStatistics } from 'node:v8';
import pino from 'pino';
import { createInventory } from '../../src/inventory/inventory.ts';
import {
  createPersister,
  decodeSnapshot,
} from '../../src/inventory/persist.ts';
import type { ApplianceEvent } from '../../src/runtime/events.ts';
import type { Mac } from '../../src/shared/mac.ts';
import { labModel } from '../../test/lib/admin/fixture.ts';
import { VVX_VENDOR } from '../../test/lib/admin/inventory-at-cap.ts';
import { syslogEvent } from '../../test/lib/syslog-event.ts';

const [file, savesArg] = process.argv.slice(2);
if (!file) throw new Error('usage: inventory-memory.ts INVENTORY.json [SAVES]');
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with --expose-gc');
const used = (): number => {
  gc();
  gc();
  return getHeapStatistics().used_heap_size;
};
const mb = (n: number): string => (n / 1048576).toFixed(2);

const fileChars = readFileSync(file, 'utf8').length;
const model = labModel();
const fresh = (x: string): string => (x === '' ? x : `${x} `.slice(0, -1));
/**
 * A fresh inventory, as a storm builds it: every timeline entry of the file replayed as the event that made it
 * (in time order, each event's strings its own copy, as decoded from a packet). REPLAY=0: restored instead.
 */
const build = (): ReturnType<typeof createInventory> => {
  // Read here, so that the file's text is not alive while the saves run.
  const r = decodeSnapshot(readFileSync(file, 'utf8'));
  if (!r.ok) throw new Error(r.error.message);
  if (process.env.REPLAY === '0')
    return createInventory({
      model: { current: () => model },
      restore: r.value.snapshot,
    });
  const events: { at: number; e: ApplianceEvent }[] = [];
  for (const p of r.value.snapshot.phones) {
    const mac = p.mac as Mac;
    for (const t of p.timeline) {
      if (t.kind === 'dhcp') {
        const [message, reply] = t.what.split('→');
        events.push({
          at: t.at,
          e: {
            type: 'dhcp',
            message: fresh(message ?? ''),
            reply: reply === 'none' ? undefined : fresh(reply ?? ''),
            mac,
            site: fresh(p.site ?? 'lab'),
            address: t.address && fresh(t.address),
            labels: { model: fresh(p.model ?? '') },
            vendor: VVX_VENDOR,
            result: fresh(t.result),
          } as ApplianceEvent,
        });
      } else if (t.kind === 'download' || t.kind === 'upload') {
        events.push({
          at: t.at,
          e: {
            type: 'transfer',
            protocol: t.what as 'tftp',
            direction: t.kind,
            peer: fresh(t.address ?? ''),
            mac,
            path: fresh(t.path ?? ''),
            bytes: t.bytes ?? 0,
            durationMs: 1,
            result: fresh(t.result),
            userAgent: p.userAgent && fresh(p.userAgent),
          },
        });
      } else if (t.kind === 'syslog') {
        events.push({
          at: t.at,
          e: syslogEvent(
            mac,
            fresh(t.address ?? ''),
            fresh('app'),
            fresh(t.text ?? ''),
            t.at,
          ),
        });
      }
    }
  }
  events.sort((a, b) => a.at - b.at);
  let clock = 0;
  const inv = createInventory({
    model: { current: () => model },
    now: () => clock,
  });
  for (const { at, e } of events) {
    clock = at;
    inv.apply(e);
  }
  return inv;
};
const base = used();
let inv = build();
const all = used() - base;
let phones = inv.snapshot().phones;
let entries = 0;
for (const p of phones) entries += p.timeline.length;
for (const p of phones) p.timeline.length = 0;
const noTimelines = used() - base;
for (const p of phones) (p as { files: unknown }).files = {};
const noFiles = used() - base;
phones = [];
console.log(
  `phones ${inv.snapshot().phones.length}, timeline entries ${entries}, file ${mb(fileChars)} M chars`,
);
console.log(
  `inventory heap ${mb(all)} MB: timelines ${mb(all - noTimelines)} MB (${Math.round((all - noTimelines) / entries)} B/entry), files ${mb(noTimelines - noFiles)} MB, the rest ${mb(noFiles)} MB`,
);
inv = build();
const dir = await mkdtemp(join(tmpdir(), 'invmem-'));
const persister = createPersister({
  dataDir: dir,
  snapshot: () => inv.snapshot(),
  log: pino({ level: 'silent' }),
  debounceMs: 0,
});
const saves = Number(savesArg ?? 5);
for (let i = 0; i < saves; i++) {
  const before = process.memoryUsage();
  let peakHeap = 0;
  let peakExt = 0;
  let peakRss = 0;
  const t = setInterval(() => {
    const m = process.memoryUsage();
    peakHeap = Math.max(peakHeap, m.heapUsed);
    peakExt = Math.max(peakExt, m.external);
    peakRss = Math.max(peakRss, m.rss);
  }, 1);
  const t0 = performance.now();
  persister.schedule();
  await persister.flush();
  clearInterval(t);
  const hs = getHeapStatistics();
  const sp = Object.fromEntries(
    getHeapSpaceStatistics().map((x) => [x.space_name, x]),
  );
  console.log(
    `save ${i + 1}: ${(performance.now() - t0).toFixed(0)} ms; heapUsed ${mb(before.heapUsed)} → peak ${mb(peakHeap)} MB, external peak ${mb(peakExt)} MB, rss ${mb(before.rss)} → peak ${mb(peakRss)} MB, heap total ${mb(hs.total_heap_size)} MB, LO space ${mb(sp.large_object_space?.space_used_size ?? 0)} MB, old ${mb(sp.old_space?.space_used_size ?? 0)} MB`,
  );
}
await rm(dir, { recursive: true, force: true });
