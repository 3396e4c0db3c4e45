/**
 * The shared traversal corpus against the HTTP service: every path sent by curl (--path-as-is, so dot
 * segments reach the server) and by a raw socket (byte-exact request lines, for what curl normalises or
 * refuses), as GET and as PUT. Zero escapes: no answer carries a byte of a file outside the tree, no
 * traversal path is answered 2xx, and no upload lands outside the data folder.
 */

import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import {
  type ApplianceDir,
  b64,
  labAvailability,
  makeApplianceDir,
  type Running,
  rawExchange,
  removeDir,
  SRV,
  startLab,
  traversalCorpus,
} from './lib/http-fixture.ts';

const avail = await labAvailability(['curl']);
let app: ApplianceDir | undefined;
let run: Running | undefined;
let corpus: string[] = [];
let outsideMarkers: string[] = [];

before(async () => {
  if (avail.skip) return;
  corpus = await traversalCorpus();
  app = await makeApplianceDir({
    imageSize: 4096,
    https: false,
    clientCa: false,
  });
  const passwd = (await readFile('/etc/passwd', 'utf8')).split('\n')[0]!;
  outsideMarkers = [app.sentinel, passwd.slice(0, 24)];
  run = await startLab(app);
});

after(async () => {
  try {
    await run?.stop();
  } finally {
    await run?.lab.destroy();
    await removeDir(app);
  }
});

const target = (p: string): string => (p.startsWith('/') ? p : `/${p}`);

function assertNoEscape(what: string, status: number, body: string): void {
  for (const m of outsideMarkers)
    assert.ok(
      !body.includes(m),
      `${what}: answer carries bytes from outside the tree`,
    );
  assert.ok(
    status === 0 || (status >= 400 && status < 500),
    `${what}: status ${status}`,
  );
}

test('the corpus has at least 50 attack paths', { skip: avail.skip }, () => {
  assert.ok(corpus.length >= 50, `${corpus.length} paths`);
});

test('traversal corpus via curl --path-as-is: zero escapes', {
  skip: avail.skip,
}, async () => {
  for (const p of corpus) {
    const out = join(app!.dir, 'curl-out.bin');
    const r = await run!.lab.exec(
      'cli',
      [
        'curl',
        '-s',
        '-g',
        '--path-as-is',
        '-o',
        out,
        '-w',
        '%{http_code}',
        `http://${SRV}${target(p)}`,
      ],
      { allowFail: true },
    );
    const body = await readFile(out, 'latin1').catch(() => '');
    assertNoEscape(`curl GET ${p}`, Number(r.stdout) || 0, body);
  }
});

test('traversal corpus via raw socket, GET, HEAD and PUT: zero escapes', {
  skip: avail.skip,
}, async () => {
  const reqs = corpus.flatMap((p) => [
    {
      data: b64(
        `GET ${target(p)} HTTP/1.1\r\nHost: ${SRV}\r\nConnection: close\r\n\r\n`,
      ),
    },
    {
      data: b64(
        `HEAD ${target(p)} HTTP/1.1\r\nHost: ${SRV}\r\nConnection: close\r\n\r\n`,
      ),
    },
    {
      data: b64(
        `PUT ${target(p)} HTTP/1.1\r\nHost: ${SRV}\r\nContent-Length: 6\r\nConnection: close\r\n\r\nPWNED\n`,
      ),
    },
    // absolute-form request target
    {
      data: b64(
        `GET http://${SRV}${target(p)} HTTP/1.1\r\nHost: ${SRV}\r\nConnection: close\r\n\r\n`,
      ),
    },
  ]);
  const res = await rawExchange(run!.lab, 'cli', 80, reqs);
  assert.equal(res.length, reqs.length);
  res.forEach((r, i) => {
    const p = corpus[Math.floor(i / 4)]!;
    assertNoEscape(
      `raw #${i % 4} ${JSON.stringify(p)}`,
      r.status,
      r.head + r.body,
    );
  });
  // nothing was written anywhere: the data folder holds no uploads, and no PWNED file appeared near the tree
  const uploads = await readdir(join(app!.dir, 'data', 'uploads'), {
    recursive: true,
  }).catch(() => [] as string[]);
  assert.deepEqual(
    uploads.filter((f) => !f.endsWith('/') && /\.(cfg|log|xml|\d+)$/.test(f)),
    [],
  );
  const top = await readdir(app!.dir);
  assert.ok(
    !top.some((f) => f.includes('passwd')),
    'no file written beside the tree',
  );
});

test('the service still serves after the corpus', {
  skip: avail.skip,
}, async () => {
  const r = await run!.lab.exec('cli', [
    'curl',
    '-s',
    '-o',
    '/dev/null',
    '-w',
    '%{http_code}',
    `http://${SRV}/hq/000000000000.cfg`,
  ]);
  assert.equal(r.stdout, '200');
});
