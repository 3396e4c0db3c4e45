/**
 * http-wire.ts reads a large body with SO_RCVLOWAT: a server that writes 1.5 MiB in 4 KiB pieces is read in a
 * handful of wake-ups (one per 256 KiB buffer, the rest at the end), every byte arrives, and the mark is back
 * to 1 afterwards, so a small response on the same keep-alive connection is read at once (a mark left high
 * would hold it until the request's timeout).
 */
import assert from 'node:assert/strict';
import { createServer, type Socket } from 'node:net';
import { test } from 'node:test';
import { HttpConnection, requestHead } from './http-wire.ts';
import { checksum } from './transfer.ts';

const BODY = Buffer.from(
  Array.from(
    { length: 1_572_864 + 123 },
    (_, i) => (i * 13 + (i >> 11)) & 0xff,
  ),
);
const PIECE = 4096;

/** Writes the body a piece per turn of the event loop, as a server under load would hand it to the kernel. */
function trickle(sock: Socket, buf: Buffer, at = 0): void {
  if (at >= buf.length) return;
  sock.write(buf.subarray(at, at + PIECE), () =>
    setImmediate(() => trickle(sock, buf, at + PIECE)),
  );
}

test('a large body is read a buffer per wake-up, and the low-water mark is reset for the next response', async () => {
  const srv = createServer((sock) => {
    sock.setNoDelay(true);
    let seen = '';
    sock.on('data', (d) => {
      seen += d.toString('latin1');
      while (seen.includes('\r\n\r\n')) {
        const req = seen.slice(0, seen.indexOf('\r\n\r\n'));
        seen = seen.slice(req.length + 4);
        if (req.startsWith('GET /big ')) {
          sock.write(
            `HTTP/1.1 200 OK\r\nContent-Length: ${BODY.length}\r\n\r\n`,
          );
          trickle(sock, BODY);
        } else sock.write('HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nsmall');
      }
    });
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as { port: number }).port;
  const c = new HttpConnection('127.0.0.1', port, undefined);
  try {
    const head = (p: string): string =>
      requestHead('GET', p, [], '127.0.0.1', port);
    const big = await c.request(
      head('/big'),
      undefined,
      false,
      false,
      10_000,
      'big',
    );
    assert.ok(big.ok);
    assert.equal(big.value.body.bytes, BODY.length);
    assert.equal(big.value.body.crc32, checksum(BODY));
    // 1.5 MiB in 4 KiB pieces: hundreds of reads without the mark; with it six buffers, the tail, the head.
    assert.ok(c.reads <= 10, `${c.reads} reads for ${BODY.length} bytes`);
    const small = await c.request(
      head('/small'),
      undefined,
      false,
      true,
      2_000,
      'small',
    );
    assert.ok(small.ok, small.ok ? '' : small.error.message);
    assert.equal(small.value.body.data.toString(), 'small');
  } finally {
    c.destroy();
    srv.close();
  }
});
