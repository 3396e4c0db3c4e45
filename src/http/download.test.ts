/**
 * serveDownload over a loopback HTTP server and a file on disk: whole and ranged GETs are byte-exact, a
 * client that goes away mid-body is recorded HTTP_CLIENT_ABORTED, and after every one of them the
 * downloads' read budget is whole again (nothing joined, nothing held).
 */
import assert from 'node:assert/strict';
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
    open: async (_p: string, o: ReadOptions = {}) =>
      ok({
        info,
        stream: new RecyclingFileStream(file, {
          start: o.start ?? 0,
          end: o.end ?? info.size - 1,
          ring: o.ring ?? 3,
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

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'http-download-'));
  const file = join(dir, 'image.ld');
  await writeFile(file, data);
  const st = await stat(file);
  const info: FileInfo = {
    path: 'image.ld',
    name: 'image.ld',
    type: 'file',
    size: SIZE,
    mtime: st.mtime,
    etag: `${st.size}-${st.mtimeMs}`,
    source: 'tftpboot',
    site: undefined,
  };
  const tree = fakeTree(file, info);
  server = http.createServer((req, res) => {
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
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
});
after(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
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
): Promise<{ status: number; body: Buffer }> {
  return new Promise((resolve, reject) => {
    http
      .get({ port, host: '127.0.0.1', path: '/image.ld', headers }, (res) => {
        const got: Buffer[] = [];
        res.on('data', (c: Buffer) => got.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode!, body: Buffer.concat(got) }),
        );
      })
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
