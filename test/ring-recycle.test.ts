/**
 * The download ring's recycling (src/tree/recycling-stream.ts, used by HTTP GET and FTP RETR): a recycled
 * stream's buffers serve the next stream, never while a read still fills one, and the spare list is bounded;
 * a stream nobody recycles leaves its ring to the collector, and a spare list left untouched for 30 s is
 * dropped. Bytes stay exact throughout.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  RecyclingFileStream,
  ringChunk,
  spareRingBytes,
} from '../src/tree/recycling-stream.ts';
import { tempFile } from './lib/temp-file.ts';

const image = tempFile('ring-recycle-', 300_001, (i) => i * 13 + (i >> 9));
const { data } = image;

const open = (chunk = 8192): RecyclingFileStream =>
  new RecyclingFileStream(image.path(), {
    start: 0,
    end: data.length - 1,
    chunk,
    ring: 3,
  });

const closed = (s: RecyclingFileStream): Promise<void> =>
  s.closed ? Promise.resolve() : new Promise((r) => s.once('close', () => r()));

/** Consume as the HTTP download does (pause per chunk, resume when "written"); the backing buffers seen. */
function consume(
  s: RecyclingFileStream,
): Promise<{ bytes: Buffer; backing: Set<ArrayBufferLike> }> {
  const got: Buffer[] = [];
  const backing = new Set<ArrayBufferLike>();
  return new Promise((resolve, reject) => {
    s.on('data', (c: Buffer) => {
      backing.add(c.buffer);
      s.pause();
      setImmediate(() => {
        got.push(Buffer.from(c));
        s.resume();
      });
    });
    s.once('end', () =>
      setImmediate(() => resolve({ bytes: Buffer.concat(got), backing })),
    );
    s.once('error', reject);
  });
}

// First: the spare list's idle timer must be created under the mocked clock.
test('a spare list nothing takes from for 30 s is dropped', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const s = open(32768);
  await consume(s);
  await closed(s);
  const before = spareRingBytes();
  s.recycle();
  assert.equal(spareRingBytes(), before + 3 * 32768);
  t.mock.timers.tick(29_999);
  assert.equal(spareRingBytes(), before + 3 * 32768, 'kept while recent');
  t.mock.timers.tick(1);
  assert.equal(spareRingBytes(), 0, 'dropped once idle');
});

test('a recycled ring serves the next download; bytes stay exact', async () => {
  const first = open();
  const a = await consume(first);
  assert.deepEqual(a.bytes, data);
  const before = spareRingBytes();
  await closed(first);
  first.recycle();
  assert.equal(spareRingBytes(), before + 3 * 8192);
  const b = await consume(open());
  assert.deepEqual(b.bytes, data);
  assert.deepEqual(
    [...b.backing].filter((x) => a.backing.has(x)).length,
    3,
    'the second stream read into the first one’s buffers',
  );
  assert.equal(spareRingBytes(), before, 'taken from the spare list');
});

test('without recycle() nothing is given back; recycle() mid-read waits for the read', async () => {
  const before = spareRingBytes();
  const s = open(16384);
  await consume(s);
  await new Promise((r) => setImmediate(r));
  assert.equal(spareRingBytes(), before);
  // recycled while a read is in flight: the buffers come back only once it has returned
  const m = open(16384);
  m.pause();
  await new Promise((r) => m.once('readable', r));
  m.read(); // the first chunk taken, the next read under way
  m.recycle();
  assert.equal(spareRingBytes(), before, 'not while the read is in flight');
  await closed(m);
  const back = spareRingBytes() - before;
  assert.ok(back > 0 && back <= 3 * 16384 && back % 16384 === 0, `${back}`);
  const again = await consume(open(16384));
  assert.deepEqual(again.bytes, data);
});

test('ringChunk: 64 KiB halved while the rings pass the budget, never below 16 KiB', () => {
  const budget = 32 * 1024 * 1024;
  for (const [active, ring, chunk] of [
    [1, 3, 65536],
    [100, 3, 65536],
    [100, 4, 65536],
    [200, 3, 32768],
    [550, 4, 16384],
    [5000, 3, 16384],
  ] as const)
    assert.equal(ringChunk(active, ring, budget), chunk, `${active}×${ring}`);
});
