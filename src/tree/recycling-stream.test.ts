import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { RecyclingFileStream } from './recycling-stream.ts';

/** Consumes the way ftp-srv's RETR does: pause on each chunk, copy it out "asynchronously", then resume. */
function consumeLikeRetr(s: RecyclingFileStream): Promise<Buffer> {
  const got: Buffer[] = [];
  return new Promise((resolve, reject) => {
    s.on('data', (chunk: Buffer) => {
      s.pause();
      setImmediate(() => {
        got.push(Buffer.from(chunk));
        s.resume();
      });
    });
    s.once('end', () => setImmediate(() => resolve(Buffer.concat(got))));
    s.once('error', reject);
  });
}

test('reads a file byte-exact through a ring of reused buffers, whole and by range', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'ring-'));
  try {
    const data = Buffer.alloc(100_003);
    for (let i = 0; i < data.length; i++) data[i] = (i * 7 + (i >> 8)) & 0xff;
    const f = join(dir, 'image.ld');
    await writeFile(f, data);
    const read = (start: number, end: number, chunk: number, ring: number) =>
      consumeLikeRetr(new RecyclingFileStream(f, { start, end, chunk, ring }));
    assert.deepEqual(await read(0, data.length - 1, 4096, 4), data);
    assert.deepEqual(
      await read(5000, 77_777, 1000, 3),
      data.subarray(5000, 77_778),
    );
    // An end past the file (it shrank since its size was read): what is there is served.
    assert.deepEqual(
      await read(99_000, 200_000, 512, 4),
      data.subarray(99_000),
    );
    // Only `ring` buffers are ever allocated: every chunk is a view of one of them.
    const s = new RecyclingFileStream(f, {
      start: 0,
      end: data.length - 1,
      chunk: 4096,
      ring: 4,
    });
    const backing = new Set<ArrayBufferLike>();
    s.on('data', (c: Buffer) => backing.add(c.buffer));
    await new Promise((r) => s.once('end', r));
    assert.ok(backing.size <= 4, `${backing.size} buffers`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('a missing file is an error; destroying mid-way releases the file', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'ring-'));
  try {
    const missing = new RecyclingFileStream(join(dir, 'nope'), {
      start: 0,
      end: 10,
      chunk: 4,
      ring: 4,
    });
    await assert.rejects(
      new Promise((_, reject) => {
        missing.once('error', reject);
        missing.resume();
      }),
      /ENOENT/,
    );
    const f = join(dir, 'f');
    await writeFile(f, Buffer.alloc(50_000, 1));
    const s = new RecyclingFileStream(f, {
      start: 0,
      end: 49_999,
      chunk: 1024,
      ring: 4,
    });
    await new Promise<void>((resolve) =>
      s.once('data', () => {
        s.destroy();
        resolve();
      }),
    );
    await new Promise((r) => s.once('close', r));
    assert.equal(s.destroyed, true);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
