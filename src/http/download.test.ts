/**
 * serveDownload over a loopback HTTP server and a file on disk (plain HTTP, so sent by sendfile): whole and
 * ranged GETs are byte-exact, a client that goes away mid-body is recorded HTTP_CLIENT_ABORTED, and after
 * every one of them the downloads' read budget is whole again (nothing joined, nothing held).
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import { test } from 'node:test';
import {
  imageBytes,
  imageServer,
  until,
} from '../../test/lib/http-download.ts';
import { createDownloadBudget } from './download.ts';

const SIZE = 8 * 1024 * 1024 + 123;
const data = imageBytes(SIZE, 11, 12);
const {
  budget: downloadBudget,
  results,
  at,
  get,
} = imageServer('http-download-', data);

const budgetWhole = (): Promise<void> =>
  until('the read budget whole again', () => {
    const s = downloadBudget.stats();
    return s.joined === 0 && s.held === 0 && s.waiting === 0;
  });

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
      { port: at.port, host: '127.0.0.1', path: '/image.ld' },
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
