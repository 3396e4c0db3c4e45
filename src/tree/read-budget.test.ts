import assert from 'node:assert/strict';
import { test } from 'node:test';
import { tempFile } from '../../test/lib/temp-file.ts';
import { MAX_CHUNK, MIN_CHUNK, ReadBudget } from './read-budget.ts';
import { RecyclingFileStream } from './recycling-stream.ts';

const image = tempFile('read-budget-', 400_003, (i) => i * 31 + (i >> 10));
const { data } = image;

const open = (budget: ReadBudget, start = 0, end = data.length - 1) =>
  new RecyclingFileStream(image.path(), { start, end, ring: 2, budget }); // HTTP's ring

/**
 * Consume as the HTTP download does: pause on each chunk, "write" it a turn later (checking its bytes are
 * still the file's: a buffer reused too early would show here), resume; recycle once done.
 */
function download(
  s: RecyclingFileStream,
  start: number,
  onChunk: () => void = () => undefined,
): Promise<Buffer> {
  const got: Buffer[] = [];
  let at = start;
  return new Promise((resolve, reject) => {
    s.on('data', (c: Buffer) => {
      onChunk();
      s.pause();
      const from = at;
      at += c.length;
      setImmediate(() => {
        if (!c.equals(data.subarray(from, from + c.length)))
          reject(
            new Error(`chunk at ${from} overwritten before it was written`),
          );
        got.push(Buffer.from(c));
        s.resume();
      });
    });
    s.once('end', () =>
      setImmediate(() => {
        s.recycle();
        resolve(Buffer.concat(got));
      }),
    );
    s.once('error', reject);
  });
}

const closed = (s: RecyclingFileStream): Promise<void> =>
  s.closed ? Promise.resolve() : new Promise((r) => s.once('close', () => r()));

test('the fair share: 64 KiB alone, smaller as downloads join, never above the bytes left', () => {
  const b = new ReadBudget(16 * 1024 * 1024);
  assert.equal(b.want(3, 10_000_000), MAX_CHUNK);
  const cancels = Array.from({ length: 200 }, () => b.join(3, () => undefined));
  assert.equal(b.stats().joined, 200);
  assert.equal(b.want(3, 10_000_000), 16 * 1024); // 16 MiB / 600 = 27.9 KiB
  assert.equal(b.want(3, 5000), 8 * 1024);
  assert.equal(b.want(3, 100), MIN_CHUNK);
  assert.equal(cancels[0]!(), false, 'admitted, not waiting');
});

test('many downloads through a small budget: bytes exact, the budget never exceeded, all given back', async () => {
  // 128 KiB: floors of 16 rings of 2 × 4 KiB; 24 downloads, so some wait for room.
  const b = new ReadBudget(128 * 1024);
  let maxHeld = 0;
  let sawWaiting = false;
  const check = (): void => {
    const st = b.stats();
    maxHeld = Math.max(maxHeld, st.held);
    if (st.waiting > 0) sawWaiting = true;
  };
  const ranges = Array.from({ length: 24 }, (_, i) =>
    i % 3 === 0 ? [i * 1000, data.length - 1 - i * 777] : [0, data.length - 1],
  );
  const streams = ranges.map(([s, e]) => open(b, s, e));
  await new Promise((r) => setImmediate(r));
  check();
  const got = await Promise.all(
    streams.map((s, i) => download(s, ranges[i]![0]!, check)),
  );
  for (const [i, g] of got.entries())
    assert.deepEqual(g, data.subarray(ranges[i]![0]!, ranges[i]![1]! + 1));
  await Promise.all(streams.map(closed));
  assert.ok(sawWaiting, 'some downloads waited for room');
  assert.ok(maxHeld <= b.bytes, `held ${maxHeld} of ${b.bytes}`);
  assert.deepEqual(
    { ...b.stats(), arena: 0 },
    { joined: 0, waiting: 0, held: 0, arena: 0 },
  );
  // every piece went back: the whole arena is one run of free pieces again, so one download gets 64 KiB
  // (its fair share, 128 KiB ÷ 2)
  const again = open(b);
  const sizes = new Set<number>();
  again.on('data', (c: Buffer) => sizes.add(c.buffer.byteLength));
  await download(again, 0);
  assert.ok(
    [...sizes].every((n) => n === b.bytes),
    'pieces of the one arena',
  );
});

test('a download beyond the budget waits; destroyed while waiting it leaves the line', async () => {
  const b = new ReadBudget(40 * 1024); // 5 floors of 8 KiB
  const running = Array.from({ length: 5 }, () => open(b));
  const waiting = open(b);
  const cut = open(b);
  await new Promise((r) => setImmediate(r));
  assert.deepEqual([b.stats().joined, b.stats().waiting], [5, 2]);
  cut.destroy();
  await closed(cut);
  assert.equal(b.stats().waiting, 1, 'the destroyed one left the line');
  const first = download(running[0]!, 0);
  assert.deepEqual(await first, data);
  await closed(running[0]!);
  assert.deepEqual(
    await download(waiting, 0),
    data,
    'admitted once room came back',
  );
  for (const s of running.slice(1)) s.recycle();
  await Promise.all([...running, waiting].map(closed));
  assert.deepEqual(
    [b.stats().joined, b.stats().waiting, b.stats().held],
    [0, 0, 0],
  );
});

test('an unused arena is dropped after the idle time', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const b = new ReadBudget(256 * 1024, 30_000);
  const s = open(b);
  await download(s, 0);
  await closed(s);
  assert.equal(b.stats().arena, b.bytes);
  t.mock.timers.tick(30_000); // a piece was taken in this period: kept
  assert.equal(b.stats().arena, b.bytes);
  t.mock.timers.tick(30_000);
  assert.equal(b.stats().arena, 0);
});

test('a budget stream reads at most one chunk ahead of a consumer that holds its chunk', async () => {
  // 26 rings' floors in 320 KiB, so this stream's chunks are 4 KiB: with its highWaterMark at the first
  // chunk's size it would read up to 16 chunks ahead into a ring of 3, over the chunk still held.
  const b = new ReadBudget(320 * 1024);
  const others = Array.from({ length: 25 }, () => b.join(3, () => undefined));
  const s = open(b);
  const first: Buffer = await new Promise((r) =>
    s.once('data', (c: Buffer) => {
      s.pause();
      r(c);
    }),
  );
  const held = Buffer.from(first);
  // Waits for what must not happen: more than one chunk buffered ahead (a poll with a deadline).
  const deadline = Date.now() + 100;
  while (s.readableLength <= first.length && Date.now() < deadline)
    await new Promise((r) => setImmediate(r));
  assert.ok(
    s.readableLength <= first.length,
    `${s.readableLength} bytes read ahead`,
  );
  assert.ok(first.equals(held), 'the held chunk is intact');
  s.destroy();
  s.recycle();
  await closed(s);
  assert.equal(b.stats().waiting, 0);
  assert.equal(others.length, 25);
});
