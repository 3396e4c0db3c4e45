import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { blockReader, chunkQueue } from './block-reader.ts';

async function blocks(stream: Readable, size: number): Promise<number[]> {
  const r = blockReader(stream, size);
  const out: number[] = [];
  for (;;) {
    const b = await r.next();
    out.push(b.length);
    if (b.length < size) return out;
  }
}

test('cuts byte streams, object-mode buffers and strings into exact blocks', async () => {
  assert.deepEqual(
    await blocks(
      Readable.from([Buffer.alloc(5), Buffer.alloc(7), Buffer.alloc(1)]),
      4,
    ),
    [4, 4, 4, 1],
  );
  assert.deepEqual(await blocks(Readable.from(Buffer.alloc(8)), 4), [4, 4, 0]);
  assert.deepEqual(await blocks(Readable.from(['ab', 'cdef']), 4), [4, 2]);
  assert.deepEqual(await blocks(Readable.from([]), 512), [0]);
  const bytes = new Readable({
    read() {
      /* pushed below */
    },
  });
  setTimeout(() => {
    bytes.push(Buffer.alloc(1000));
    bytes.push(null);
  }, 5);
  assert.deepEqual(await blocks(bytes, 512), [512, 488]);
});

test('keeps content and order', async () => {
  const src = Buffer.from(Array.from({ length: 3000 }, (_, i) => i % 251));
  const r = blockReader(
    Readable.from([
      src.subarray(0, 700),
      src.subarray(700, 2100),
      src.subarray(2100),
    ]),
    512,
  );
  const parts: Uint8Array[] = [];
  for (let b = await r.next(); ; b = await r.next()) {
    parts.push(b);
    if (b.length < 512) break;
  }
  assert.deepEqual(Buffer.concat(parts), src);
});

test('a stream error rejects next()', async () => {
  const s = new Readable({
    read() {
      this.destroy(new Error('disk gone'));
    },
  });
  await assert.rejects(blockReader(s, 512).next(), /disk gone/);
});

test('chunkQueue answers synchronously, views without copying, and wakes a waiter once', () => {
  const q = chunkQueue(4);
  let woken = 0;
  assert.equal(q.take(), undefined);
  q.wait(() => {
    woken++;
  });
  const a = Buffer.from([1, 2, 3, 4, 5, 6]);
  q.push(a);
  assert.equal(woken, 1);
  const b1 = q.take()!;
  assert.deepEqual([...b1], [1, 2, 3, 4]);
  assert.equal(b1.buffer, a.buffer, 'a block inside one chunk is a view');
  assert.equal(q.take(), undefined, 'two bytes are not a block yet');
  q.push(Buffer.from([7, 8, 9]));
  assert.deepEqual(
    [...q.take()!],
    [5, 6, 7, 8],
    'a block across chunks is joined',
  );
  q.end();
  assert.deepEqual([...q.take()!], [9]);
  assert.deepEqual([...q.take()!], []);
  const f = chunkQueue(4);
  f.fail(new Error('gone'));
  assert.equal(f.take(), undefined);
  assert.match(f.error!.message, /gone/);
});
