/**
 * Downloads sent by sendfile (sendfile-body.ts) over a loopback HTTP server: one after another on a kept-alive
 * connection, a stalled client cut after the idle timeout while a slow one that keeps reading is not, and a
 * file sendfile cannot send (not seekable) streamed instead.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import http from 'node:http';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  fileInfo,
  imageBytes,
  imageServer,
  stop,
  until,
} from '../../test/lib/http-download.ts';
import { ok } from '../shared/result.ts';
import { loadSendfile } from '../shared/sendfile.ts';
import type { FileTree } from '../tree/types.ts';

const SIZE = 8 * 1024 * 1024 + 123;
const data = imageBytes(SIZE, 7, 10);
const { results, serveFile, serveTree, at, get } = imageServer(
  'http-sendfile-',
  data,
);

test('downloads one after another on one kept-alive connection are byte-exact', async () => {
  results.length = 0;
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const sendfile = loadSendfile();
  assert.ok(sendfile.ok, sendfile.ok ? '' : sendfile.error);
  const before = sendfile.value.started;
  try {
    const a = await get({}, agent);
    const b = await get({ Range: 'bytes=7-99999' }, agent);
    const c = await get({}, agent);
    assert.ok(a.body.equals(data));
    assert.equal(b.status, 206);
    assert.ok(b.body.equals(data.subarray(7, 100_000)));
    assert.ok(c.body.equals(data));
    assert.equal(a.socket, c.socket, 'the same connection');
    assert.equal(sendfile.value.started - before, 3, 'sent by sendfile');
    await until('three records', () => results.length === 3);
    assert.deepEqual(
      results.map((r) => [r.result, r.bytes]),
      [
        ['ok', SIZE],
        ['ok', 99_993],
        ['ok', SIZE],
      ],
    );
  } finally {
    agent.destroy();
  }
});

/** More than loopback's socket buffers hold, so that a client's pace decides when the server may send. */
const BIG = 48 * 1024 * 1024;
/** The big file's server: its sockets' idle timeout. */
const IDLE_MS = 500;

/** GETs from `p`, reading a chunk then pausing `everyMs` (undefined: stops after the first chunk). */
function paced(
  p: number,
  everyMs: number | undefined,
): { req: http.ClientRequest; body: Promise<Buffer> } {
  let req!: http.ClientRequest;
  const body = new Promise<Buffer>((resolve, reject) => {
    req = http.get({ port: p, host: '127.0.0.1', path: '/image.ld' }, (res) => {
      const got: Buffer[] = [];
      let timer: NodeJS.Timeout | undefined;
      res.on('data', (c: Buffer) => {
        got.push(c);
        res.pause();
        if (everyMs !== undefined)
          timer = setTimeout(() => res.resume(), everyMs);
      });
      res.on('end', () => resolve(Buffer.concat(got)));
      res.on('error', () => undefined);
      res.on('close', () => {
        clearTimeout(timer);
        if (!res.complete) reject(new Error('the download was cut'));
      });
    });
    req.on('error', reject);
  });
  return { req, body };
}

test('a download that stops moving is cut after the idle timeout; one that keeps moving is not', async () => {
  const big = Buffer.alloc(BIG);
  for (let i = 0; i < BIG; i += 4096) big[i] = (i >> 12) & 0xff;
  const srv = await serveFile(at.dir, 'big.ld', big, IDLE_MS);
  try {
    results.length = 0;
    const stalled = paced(srv.port, undefined);
    await until('the stalled download cut', () => results.length === 1);
    assert.equal(results[0]!.result, 'HTTP_CLIENT_ABORTED');
    assert.ok(results[0]!.bytes < BIG);
    // The server closed its end; the client, reading nothing, has not seen it yet.
    stalled.req.destroy();
    await stalled.body.catch(() => undefined);
    results.length = 0;
    const t0 = Date.now();
    const body = await paced(srv.port, 2).body;
    const took = Date.now() - t0;
    assert.ok(
      took > 2 * IDLE_MS,
      `took ${took} ms: not longer than the idle timeout`,
    );
    assert.ok(body.equals(big));
    await until('the slow download recorded', () => results.length === 1);
    assert.deepEqual(results[0], { result: 'ok', bytes: BIG });
  } finally {
    await stop(srv.server);
  }
});

test('a file that sendfile cannot send (a FIFO: not seekable) is streamed instead', async () => {
  const fifo = join(at.dir, 'fifo.ld');
  execFileSync('mkfifo', [fifo]);
  const body = data.subarray(0, 300_000);
  const info = fileInfo(body.length, new Date(0), 'fifo');
  const tree = {
    stat: async () => ok(info),
    open: async () => ok({ info, stream: createReadStream(fifo) }),
  } as unknown as FileTree;
  const srv = await serveTree(tree);
  const sendfile = loadSendfile();
  assert.ok(sendfile.ok);
  const before = sendfile.value.started;
  try {
    results.length = 0;
    const writer = writeFile(fifo, body); // opens once the server opens the FIFO to read it
    const got = await paced(srv.port, 0).body;
    await writer;
    assert.ok(got.equals(body));
    await until('the download recorded', () => results.length === 1);
    assert.deepEqual(results[0], { result: 'ok', bytes: body.length });
    assert.equal(
      sendfile.value.started - before,
      1,
      'sendfile was tried first',
    );
  } finally {
    await stop(srv.server);
  }
});
