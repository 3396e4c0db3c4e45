import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openSync, closeSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chunkQueue } from './block-reader.ts';
import { fileFeed } from './file-feed.ts';

function withFile(bytes: Buffer, fn: (fd: number) => void): void {
  const dir = mkdtempSync(join(tmpdir(), 'file-feed-'));
  const path = join(dir, 'f');
  writeFileSync(path, bytes);
  const fd = openSync(path, 'r');
  try { fn(fd); } finally { closeSync(fd); rmSync(dir, { recursive: true }); }
}

/** Takes every block as a lock-step sender would: release what is two blocks behind, copy each block out. */
function drain(bytes: Buffer, blksize: number, start = 0, end = bytes.length - 1): { got: Buffer; blocks: number; distinctBuffers: number } {
  let got = Buffer.alloc(0);
  let blocks = 0;
  const buffers = new Set<ArrayBufferLike>();
  withFile(bytes, (fd) => {
    const q = chunkQueue(blksize);
    const feed = fileFeed(q, { fd, start, end }, { chunk: 4 * blksize, low: 2 * blksize });
    for (;;) {
      feed.pump();
      const b = q.take();
      if (b === undefined) { assert.ok(q.ended || q.error === undefined, 'a block is always ready after pump'); assert.fail('stalled'); }
      blocks++;
      buffers.add(b.buffer);
      got = Buffer.concat([got, b]); // the copy a datagram makes
      feed.released(start + Math.max(0, blocks - 2) * blksize);
      if (b.length < blksize) break;
    }
    feed.stop();
  });
  return { got, blocks, distinctBuffers: buffers.size };
}

test('serves the file (or its range) byte for byte, with a short last block', () => {
  const bytes = Buffer.from(Array.from({ length: 100_000 }, (_, i) => (i * 7) & 0xff));
  const all = drain(bytes, 512);
  assert.deepEqual(all.got, bytes);
  assert.equal(all.blocks, Math.floor(bytes.length / 512) + 1);
  const part = drain(bytes, 512, 1000, 50_999);
  assert.deepEqual(part.got, bytes.subarray(1000, 51_000));
});

test('an exact multiple of blksize ends with an empty block', () => {
  const bytes = Buffer.alloc(4096, 1);
  const r = drain(bytes, 512);
  assert.equal(r.blocks, 9);
  assert.deepEqual(r.got, bytes);
});

test('read buffers are recycled once released, not allocated per read', () => {
  const bytes = Buffer.from(Array.from({ length: 1_000_000 }, (_, i) => (i * 13) & 0xff));
  const r = drain(bytes, 1468);
  assert.deepEqual(r.got, bytes);
  // 682 blocks in 171 reads of 4 blocks (chunks align with blocks here, so no block is a copy): a handful of
  // buffers in turn, not one per read.
  assert.ok(r.distinctBuffers <= 4, `${r.distinctBuffers} distinct buffers for ${r.blocks} blocks`);
});

test('a read error fails the queue', () => {
  const q = chunkQueue(512);
  const feed = fileFeed(q, { fd: 987_654, start: 0, end: 10_000 }, { chunk: 2048, low: 1024 });
  feed.pump();
  assert.ok(q.error);
  assert.equal(q.take(), undefined);
});
