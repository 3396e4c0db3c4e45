import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { blockReader } from './block-reader.ts';

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
  assert.deepEqual(await blocks(Readable.from([Buffer.alloc(5), Buffer.alloc(7), Buffer.alloc(1)]), 4), [4, 4, 4, 1]);
  assert.deepEqual(await blocks(Readable.from(Buffer.alloc(8)), 4), [4, 4, 0]);
  assert.deepEqual(await blocks(Readable.from(['ab', 'cdef']), 4), [4, 2]);
  assert.deepEqual(await blocks(Readable.from([]), 512), [0]);
  const bytes = new Readable({ read() { /* pushed below */ } });
  setTimeout(() => { bytes.push(Buffer.alloc(1000)); bytes.push(null); }, 5);
  assert.deepEqual(await blocks(bytes, 512), [512, 488]);
});

test('keeps content and order', async () => {
  const src = Buffer.from(Array.from({ length: 3000 }, (_, i) => i % 251));
  const r = blockReader(Readable.from([src.subarray(0, 700), src.subarray(700, 2100), src.subarray(2100)]), 512);
  const parts: Buffer[] = [];
  for (let b = await r.next(); ; b = await r.next()) { parts.push(b); if (b.length < 512) break; }
  assert.deepEqual(Buffer.concat(parts), src);
});

test('a stream error rejects next()', async () => {
  const s = new Readable({ read() { this.destroy(new Error('disk gone')); } });
  await assert.rejects(blockReader(s, 512).next(), /disk gone/);
});
