/**
 * phonesim's plain-HTTP client (http-wire.ts) against node:http as the reference: for the same calls, the
 * bytes a raw server on 127.0.0.1 receives are identical, and so are the results, over every framing a
 * response can have (Content-Length split across reads, chunked with extensions and trailers, until close,
 * HEAD, 204), keep-alive reuse, a server closing the idle connection, and the timeout.
 */
import assert from 'node:assert/strict';
import { createServer, type Socket } from 'node:net';
import { test } from 'node:test';
import type { BootLocation } from './boot-server.ts';
import { createHttpClient } from './http-client.ts';
import { requestHead } from './http-wire.ts';
import { checksum } from './transfer.ts';

const BIG = Buffer.from(
  Array.from({ length: 300_000 }, (_, i) => (i * 7 + (i >> 9)) & 0xff),
);

/** Response pieces per path (written with a pause between them, so the client reads them apart). */
const RESPONSES: Record<string, (string | Buffer)[]> = {
  '/hq/big.ld': [
    'HTTP/1.1 200 OK\r\nContent-Le',
    `ngth: ${BIG.length}\r\nContent-Type: application/octet-stream\r\n\r\n`,
    BIG.subarray(0, 1000),
    BIG.subarray(1000, 70_000),
    BIG.subarray(70_000),
  ],
  '/hq/chunked.cfg': [
    'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\n',
    '7\r\n, world\r\n0\r\nX-Trailer: 1\r\n',
    '\r\n',
  ],
  '/hq/empty.cfg': ['HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n'],
  '/missing.cfg': [
    'HTTP/1.1 404 Not Found\r\nContent-Length: 9\r\n\r\nnot found',
  ],
  '/hq/log/up.log': ['HTTP/1.1 204 No Content\r\n\r\n'],
  '/hq/close.xml': [
    'HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n<calls/>',
    ' until close',
  ],
};

interface Capture {
  requests: string[];
  connections: number;
}

/** A raw HTTP server: records every request's bytes, answers from RESPONSES; HEAD gets the head only. */
async function server(
  closeIdleAfter: number,
  silent = false,
): Promise<{
  port: number;
  cap: Capture;
  idleClosed: Promise<void>;
  close(): void;
}> {
  const cap: Capture = { requests: [], connections: 0 };
  let idleClosed = (): void => {};
  const idle = new Promise<void>((r) => {
    idleClosed = r;
  });
  const sockets = new Set<Socket>();
  const srv = createServer((s) => {
    cap.connections++;
    sockets.add(s);
    let buf = Buffer.alloc(0);
    let served = 0;
    const first = cap.connections === 1; // only the first connection is closed when idle
    s.on('data', async (d) => {
      buf = Buffer.concat([buf, d]);
      for (;;) {
        const end = buf.indexOf('\r\n\r\n');
        if (end < 0) return;
        const head = buf.toString('latin1', 0, end);
        const len = Number(/content-length: (\d+)/i.exec(head)?.[1] ?? 0);
        if (buf.length < end + 4 + len) return;
        cap.requests.push(buf.toString('latin1', 0, end + 4 + len));
        buf = buf.subarray(end + 4 + len);
        if (silent) return;
        const [method, path] = head.split(' ');
        const pieces =
          RESPONSES[path!.split('?')[0]!] ?? RESPONSES['/missing.cfg']!;
        if (method === 'HEAD') {
          const all = Buffer.concat(pieces.map((p) => Buffer.from(p)));
          s.write(all.subarray(0, all.indexOf('\r\n\r\n') + 4));
        } else
          for (const p of pieces) {
            s.write(p);
            await new Promise((r) => setTimeout(r, 5));
          }
        if (pieces[0]!.toString().includes('Connection: close')) s.end();
        else if (++served === closeIdleAfter && first) {
          s.once('close', idleClosed);
          s.end();
        }
      }
    });
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as { port: number }).port;
  return {
    port,
    cap,
    idleClosed: idle,
    close() {
      for (const s of sockets) s.destroy();
      srv.close();
    },
  };
}

const loc = (port: number): BootLocation => ({
  protocol: 'http',
  host: '127.0.0.1',
  port,
  user: 'PlcmSpIp',
  password: 'secret',
  base: 'hq',
  masterFile: undefined,
});
const ctx = (timeoutMs = 5000) => ({
  localAddress: '127.0.0.1',
  userAgent: (t: string) =>
    `FileTransport PolycomVVX-VVX_410-UA/5.9.7.4477 Type/${t}`,
  timeoutMs,
});

/** The phone's calls of a boot, through one client; what came back. */
async function session(client: 'wire' | 'node', closeIdleAfter: number) {
  const s = await server(closeIdleAfter);
  const c = createHttpClient(loc(s.port), ctx(), { client });
  try {
    const out: unknown[] = [];
    const show = (r: Awaited<ReturnType<typeof c.get>>) =>
      r.ok
        ? {
            bytes: r.value.bytes,
            sha: r.value.crc32,
            data: r.value.data.toString('latin1'),
          }
        : r.error;
    out.push(show(await c.get('big.ld', 'Updater', false)));
    out.push(show(await c.get('chunked.cfg', 'Application')));
    out.push(show(await c.get('empty.cfg', 'Application')));
    // The server closes the idle connection after its third answer: the next request opens a new one.
    if (closeIdleAfter === 3) await s.idleClosed;
    out.push(show(await c.get('missing.cfg', 'Application')));
    out.push(await c.size!('big.ld', 'Application'));
    out.push(await c.put('log/up.log', Buffer.from('boot log\n'), 'Updater'));
    out.push(show(await c.get('close.xml', 'Application')));
    out.push(show(await c.get('dir with space/ä.cfg', 'Application')));
    return {
      out,
      requests: s.cap.requests.map((r) =>
        r.replace(`:${s.port}\r\n`, ':PORT\r\n'),
      ),
      connections: s.cap.connections,
      retries: c.retries(),
    };
  } finally {
    await c.close();
    s.close();
  }
}

test('the wire client sends node:http bytes and reads every framing as node:http does', async () => {
  for (const closeIdleAfter of [0, 3]) {
    const node = await session('node', closeIdleAfter);
    const wire = await session('wire', closeIdleAfter);
    assert.deepEqual(wire.requests, node.requests);
    assert.deepEqual(wire.out, node.out);
    assert.equal(wire.connections, node.connections);
    assert.equal(wire.retries, node.retries);
    assert.equal(wire.retries, 0);
    assert.equal((wire.out[0] as { sha: string }).sha, checksum(BIG));
    assert.equal((wire.out[1] as { data: string }).data, 'hello, world');
  }
});

test('requestHead leaves the port out of Host at 80 and brackets an IPv6 host, as node:http', () => {
  assert.equal(
    requestHead('GET', '/a', [['Accept', '*/*']], '10.0.0.1', 80),
    'GET /a HTTP/1.1\r\nAccept: */*\r\nHost: 10.0.0.1\r\nConnection: keep-alive\r\n\r\n',
  );
  assert.equal(
    requestHead('HEAD', '/a', [], 'fd00::1', 8080),
    'HEAD /a HTTP/1.1\r\nHost: [fd00::1]:8080\r\nConnection: keep-alive\r\n\r\n',
  );
});

test('a server that never answers: SIM_TIMEOUT after the request timeout, as node:http', async () => {
  const s = await server(0, true);
  try {
    for (const client of ['node', 'wire'] as const) {
      const c = createHttpClient(loc(s.port), ctx(300), { client });
      const r = await c.get('big.ld', 'Updater');
      await c.close();
      assert.equal(r.ok, false);
      assert.equal(!r.ok && r.error.code, 'SIM_TIMEOUT');
      assert.equal(!r.ok && r.error.message, 'GET /hq/big.ld: timeout');
    }
  } finally {
    s.close();
  }
});
