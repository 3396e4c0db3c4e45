/**
 * ftp-data.ts reads a RETR's data connection with SO_RCVLOWAT: a server that writes 1.5 MiB in 4 KiB pieces is
 * read in a handful of wake-ups (one per 256 KiB buffer, the rest at the FIN), every byte arrives, and a file
 * shorter than the mark is read at once when the server closes (the FIN wakes the reader, not the timeout).
 */
import assert from 'node:assert/strict';
import { createServer, type Socket } from 'node:net';
import { test } from 'node:test';
import { connect, retrieve } from './ftp-data.ts';
import { checksum } from './transfer.ts';

const PIECE = 4096;
const body = (n: number): Buffer =>
  Buffer.from(Array.from({ length: n }, (_, i) => (i * 13 + (i >> 11)) & 0xff));

/** Writes the file a piece per turn of the event loop, as a loaded server hands it to the kernel, then closes. */
function trickle(sock: Socket, buf: Buffer, at = 0): void {
  if (at >= buf.length) {
    sock.end();
    return;
  }
  sock.write(buf.subarray(at, at + PIECE), () =>
    setImmediate(() => trickle(sock, buf, at + PIECE)),
  );
}

/** One data connection to a server that trickles `file`: what was read, in how many reads, how long it took. */
async function fetch(file: Buffer, timeoutMs: number) {
  const srv = createServer((sock) => {
    sock.setNoDelay(true);
    trickle(sock, file);
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as { port: number }).port;
  const ctx = { localAddress: undefined, userAgent: () => '', timeoutMs };
  const r = retrieve(false, timeoutMs);
  const started = performance.now();
  try {
    const s = await connect('127.0.0.1', port, ctx, r.onChunk);
    assert.ok(s.ok, s.ok ? '' : s.error.message);
    const got = await r.read(s.value);
    s.value.destroy();
    return { got, reads: r.reads(), ms: performance.now() - started };
  } finally {
    srv.close();
  }
}

test('a large RETR is read a buffer per wake-up, every byte of it', async () => {
  const file = body(1_572_864 + 123);
  const { got, reads } = await fetch(file, 10_000);
  assert.ok(got.ok, got.ok ? '' : got.error.message);
  assert.equal(got.value.bytes, file.length);
  assert.equal(got.value.crc32, checksum(file));
  // 1.5 MiB in 4 KiB pieces: hundreds of reads without the mark; with it six buffers and the tail.
  assert.ok(reads <= 10, `${reads} reads for ${file.length} bytes`);
});

test('a RETR shorter than the low-water mark ends at the FIN, not at the timeout', async () => {
  const file = body(10_000);
  const { got, ms } = await fetch(file, 20_000);
  assert.ok(got.ok, got.ok ? '' : got.error.message);
  assert.equal(got.value.crc32, checksum(file));
  assert.ok(ms < 10_000, `took ${ms.toFixed(0)} ms`);
});
