/**
 * serveDownload over a loopback HTTP server and a file on disk (plain HTTP: sent by sendfile, sendfile.ts):
 * whole and ranged GETs are byte-exact, also one after another on a kept-alive connection, a client that
 * goes away mid-body is recorded HTTP_CLIENT_ABORTED, and after every one of them the downloads' read
 * budget is whole again (nothing joined, nothing held).
 */
import assert from 'node:assert/strict';
import { createReadStream } from 'node:fs';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { ok } from '../shared/result.ts';
import { RecyclingFileStream } from '../tree/recycling-stream.ts';
import type { FileInfo, FileTree, ReadOptions } from '../tree/types.ts';
import { createDownloadBudget, serveDownload } from './download.ts';
import { loadSendfile } from './sendfile.ts';
import type { TransferRecord } from './transfer-record.ts';

const SIZE = 8 * 1024 * 1024 + 123;
const data = Buffer.alloc(SIZE);
for (let i = 0; i < SIZE; i++) data[i] = (i * 11 + (i >> 12)) & 0xff;
let dir = '';
let server: http.Server;
let port = 0;
const downloadBudget = createDownloadBudget();
const results: { result: string; bytes: number }[] = [];

function fakeTree(file: string, info: FileInfo): FileTree {
  return {
    stat: async () => ok(info),
    // As tree.ts: a ring when asked for one (streamed), else an fs.ReadStream (its descriptor, for sendfile).
    open: async (_p: string, o: ReadOptions = {}) =>
      ok({
        info,
        stream:
          o.ring === undefined
            ? createReadStream(file, {
                start: o.start ?? 0,
                end: o.end ?? info.size - 1,
              })
            : new RecyclingFileStream(file, {
                start: o.start ?? 0,
                end: o.end ?? info.size - 1,
                ring: o.ring,
                ...(o.budget ? { budget: o.budget } : {}),
              }),
      }),
  } as unknown as FileTree;
}

const record = (): TransferRecord => ({
  setPath: () => undefined,
  setMac: () => undefined,
  setRelease: () => undefined,
  finished: false,
  finish: (result, bytes) => {
    results.push({ result, bytes });
  },
});

/** A loopback server of `bytes` as image.ld; `timeoutMs`: its sockets' idle timeout (the service's is 120 s). */
async function serve(
  name: string,
  bytes: Buffer,
  timeoutMs = 0,
): Promise<{ port: number; server: http.Server }> {
  const file = join(dir, name);
  await writeFile(file, bytes);
  const st = await stat(file);
  const info: FileInfo = {
    path: 'image.ld',
    name: 'image.ld',
    type: 'file',
    size: bytes.length,
    mtime: st.mtime,
    etag: `${st.size}-${st.mtimeMs}`,
    source: 'tftpboot',
    site: undefined,
  };
  const tree = fakeTree(file, info);
  const srv = http.createServer((req, res) => {
    void serveDownload(
      req,
      res,
      tree,
      'image.ld',
      record(),
      { mac: undefined },
      downloadBudget,
    );
  });
  srv.timeout = timeoutMs;
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  return { port: (srv.address() as AddressInfo).port, server: srv };
}
const stop = async (srv: http.Server): Promise<void> => {
  srv.closeAllConnections();
  await new Promise((r) => srv.close(r));
};

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'http-download-'));
  ({ port, server } = await serve('image.ld', data));
});
after(async () => {
  await stop(server);
  await rm(dir, { recursive: true, force: true });
});

async function until(what: string, cond: () => boolean): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}
const budgetWhole = (): Promise<void> =>
  until('the read budget whole again', () => {
    const s = downloadBudget.stats();
    return s.joined === 0 && s.held === 0 && s.waiting === 0;
  });

function get(
  headers: http.OutgoingHttpHeaders = {},
  agent?: http.Agent,
): Promise<{ status: number; body: Buffer; socket: unknown }> {
  return new Promise((resolve, reject) => {
    http
      .get(
        {
          port,
          host: '127.0.0.1',
          path: '/image.ld',
          headers,
          ...(agent ? { agent } : {}),
        },
        (res) => {
          const got: Buffer[] = [];
          res.on('data', (c: Buffer) => got.push(c));
          res.on('end', () =>
            resolve({
              status: res.statusCode!,
              body: Buffer.concat(got),
              socket: res.socket,
            }),
          );
        },
      )
      .on('error', reject);
  });
}

test('whole and ranged GETs at once are byte-exact and give the budget back', async () => {
  results.length = 0;
  const [a, b, c] = await Promise.all([
    get(),
    get({ Range: 'bytes=1000-2000999' }),
    get({ Range: `bytes=-5000` }),
  ]);
  assert.equal(a.status, 200);
  assert.ok(a.body.equals(data));
  assert.equal(b.status, 206);
  assert.ok(b.body.equals(data.subarray(1000, 2_001_000)));
  assert.equal(c.status, 206);
  assert.ok(c.body.equals(data.subarray(SIZE - 5000)));
  await until('three records', () => results.length === 3);
  assert.deepEqual(results.map((r) => r.result).sort(), ['ok', 'ok', 'ok']);
  await budgetWhole();
});

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

test('a client gone mid-body is recorded HTTP_CLIENT_ABORTED and gives the budget back', async () => {
  results.length = 0;
  await new Promise<void>((resolve, reject) => {
    const req = http.get(
      { port, host: '127.0.0.1', path: '/image.ld' },
      (res) => {
        res.once('data', () => {
          req.destroy();
          resolve();
        });
      },
    );
    req.on('error', () => undefined);
    setTimeout(() => reject(new Error('no body')), 10_000).unref();
  });
  await until('the abort recorded', () => results.length === 1);
  assert.equal(results[0]!.result, 'HTTP_CLIENT_ABORTED');
  assert.ok(results[0]!.bytes > 0 && results[0]!.bytes < SIZE);
  await budgetWhole();
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
  const srv = await serve('big.ld', big, IDLE_MS);
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

test("a service's budget: 128 KiB chunks up to 100 downloads at once, 64 KiB up to 200", () => {
  const b = createDownloadBudget();
  const chunkWith = (n: number): number => {
    while (b.stats().joined < n) b.join(2, () => undefined);
    return b.want(2, 10_000_000);
  };
  assert.equal(chunkWith(100), 128 * 1024);
  assert.equal(chunkWith(101), 64 * 1024);
  assert.equal(chunkWith(200), 64 * 1024);
  assert.equal(chunkWith(201), 32 * 1024);
});
