/**
 * HTTP service with curl from another namespace: GET of a rendered config and of a 60 MB image byte-exact,
 * Range, conditional GETs, PUT of <MAC>-phone.cfg read back, forbidden PUTs, uploads killed half way,
 * per-site basic auth, other methods, transfers abandoned by the client and cut at shutdown; every request
 * recorded as one transfer event.
 */

import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { loadConfigFile } from '../src/config/load.ts';
import { createTree } from '../src/tree/tree.ts';
import {
  type ApplianceDir,
  b64,
  dummyBytes,
  IMAGE,
  labAvailability,
  makeApplianceDir,
  OTHER_MAC,
  OVERRIDE_CAP,
  PHONE_MAC,
  type Running,
  rawExchange,
  removeDir,
  SRV,
  sha256,
  startLab,
} from './lib/http-fixture.ts';
import { waitFor } from './lib/netns.ts';

const avail = await labAvailability(['curl']);
let app: ApplianceDir | undefined;
let run: Running | undefined;
let n = 0;

interface CurlResult {
  exit: number;
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

async function curl(args: string[], host = 'cli'): Promise<CurlResult> {
  const id = ++n;
  const hdr = join(app!.dir, `h${id}.txt`);
  const out = join(app!.dir, `b${id}.bin`);
  const r = await run!.lab.exec(
    host,
    [
      'curl',
      '-s',
      '-g',
      '--path-as-is',
      '-D',
      hdr,
      '-o',
      out,
      '-w',
      '%{http_code}',
      ...args,
    ],
    { allowFail: true, timeoutMs: 60_000 },
  );
  const headers: Record<string, string> = {};
  const text = await readFile(hdr, 'latin1').catch(() => '');
  const blocks = text.split(/\r\n\r\n/).filter((b) => b.trim() !== '');
  for (const line of (blocks[blocks.length - 1] ?? '').split('\r\n').slice(1)) {
    const i = line.indexOf(':');
    if (i > 0)
      headers[line.slice(0, i).toLowerCase()] = line.slice(i + 1).trim();
  }
  return {
    exit: r.code,
    status: Number(r.stdout.trim()),
    headers,
    body: await readFile(out).catch(() => Buffer.alloc(0)),
  };
}

const url = (p: string): string => `http://${SRV}${p}`;
/** Bytes in a folder's upload temp files (.part): what the server has stored of the uploads in progress. */
async function partBytes(dir: string): Promise<number> {
  let total = 0;
  for (const f of await readdir(dir).catch(() => [] as string[]))
    if (f.endsWith('.part'))
      total += await stat(join(dir, f)).then(
        (s) => s.size,
        () => 0,
      );
  return total;
}
const overrideFile = (mac: string): string =>
  join(app!.dir, 'data', 'uploads', 'hq', 'overrides', `${mac}-phone.cfg`);

before(async () => {
  if (avail.skip) return;
  app = await makeApplianceDir({
    imageSize: 60 * 1024 * 1024,
    https: false,
    clientCa: false,
  });
  run = await startLab(app);
});

after(async () => {
  if (process.env.HTTP_TEST_DEBUG) process.stderr.write(run?.stderr() ?? '');
  try {
    await run?.stop();
  } finally {
    await run?.lab.destroy();
    await removeDir(app);
  }
});

test('GET a rendered config byte-exact, with validators, and the phone User-Agent in the event', {
  skip: avail.skip,
}, async () => {
  const loaded = await loadConfigFile(app!.yaml);
  assert.ok(loaded.ok);
  const expected = await createTree(loaded.value.model).read(
    'hq/000000000000.cfg',
  );
  assert.ok(expected.ok);
  const ua = 'FileTransport PolycomVVX-VVX_410-UA/5.9.7.4477';
  const r = await curl(['-A', ua, url('/hq/000000000000.cfg')]);
  assert.equal(r.status, 200);
  assert.ok(r.body.equals(expected.value));
  assert.match(r.headers.etag ?? '', /^"[^"]+"$/);
  assert.ok(r.headers['last-modified']);
  assert.equal(r.headers['accept-ranges'], 'bytes');
  const e = await run!.event(
    (x) => x.path === 'hq/000000000000.cfg' && x.userAgent === ua,
  );
  assert.equal(e.protocol, 'http');
  assert.equal(e.direction, 'download');
  assert.equal(e.result, 'ok');
  assert.equal(e.peer, '10.91.7.2');
  assert.equal(e.mac, PHONE_MAC);
  assert.equal(e.bytes, expected.value.length);
});

test('GET a 60 MB image byte-exact (streamed)', {
  skip: avail.skip,
}, async () => {
  const r = await curl([url(`/hq/${IMAGE}`)]);
  assert.equal(r.status, 200);
  assert.equal(r.body.length, app!.imageSize);
  assert.equal(sha256(r.body), app!.imageSha);
  const head = await curl(['-I', url(`/${IMAGE}`)]);
  assert.equal(head.status, 200);
  assert.equal(head.headers['content-length'], String(app!.imageSize));
});

test('Range: 206 with Content-Range, suffix ranges, 416 outside, If-Range', {
  skip: avail.skip,
}, async () => {
  const whole = dummyBytes(app!.imageSize, 0x5eed);
  const r = await curl(['-r', '1000000-1000999', url(`/${IMAGE}`)]);
  assert.equal(r.status, 206);
  assert.equal(
    r.headers['content-range'],
    `bytes 1000000-1000999/${app!.imageSize}`,
  );
  assert.ok(r.body.equals(whole.subarray(1000000, 1001000)));
  const suffix = await curl(['-r', '-100', url(`/${IMAGE}`)]);
  assert.equal(suffix.status, 206);
  assert.ok(suffix.body.equals(whole.subarray(whole.length - 100)));
  const bad = await curl(['-r', `${app!.imageSize + 10}-`, url(`/${IMAGE}`)]);
  assert.equal(bad.status, 416);
  assert.equal(bad.headers['content-range'], `bytes */${app!.imageSize}`);
  assert.equal(bad.headers['x-error-code'], 'HTTP_RANGE_NOT_SATISFIABLE');
  const stale = await curl([
    '-r',
    '0-9',
    '-H',
    'If-Range: "stale"',
    url('/hq/000000000000.cfg'),
  ]);
  assert.equal(stale.status, 200);
});

test('conditional GET: If-None-Match and If-Modified-Since give 304', {
  skip: avail.skip,
}, async () => {
  const first = await curl([url('/hq/site.cfg')]);
  assert.equal(first.status, 200);
  const etag = first.headers.etag!;
  const inm = await curl(['-H', `If-None-Match: ${etag}`, url('/hq/site.cfg')]);
  assert.equal(inm.status, 304);
  assert.equal(inm.body.length, 0);
  const ims = await curl([
    '-H',
    `If-Modified-Since: ${first.headers['last-modified']}`,
    url('/hq/site.cfg'),
  ]);
  assert.equal(ims.status, 304);
  const changed = await curl([
    '-H',
    'If-None-Match: "other"',
    url('/hq/site.cfg'),
  ]);
  assert.equal(changed.status, 200);
  const img = await curl(['-I', url(`/${IMAGE}`)]);
  const img304 = await curl([
    '-H',
    `If-None-Match: ${img.headers.etag}`,
    url(`/${IMAGE}`),
  ]);
  assert.equal(img304.status, 304);
});

test('PUT <MAC>-phone.cfg: 201 created, read back, 204 replaced, previous generation kept', {
  skip: avail.skip,
}, async () => {
  const v1 = join(app!.dir, 'v1.cfg');
  const v2 = join(app!.dir, 'v2.cfg');
  await writeFile(
    v1,
    '<PHONE_CONFIG><OVERRIDES up.backlight.idleIntensity="1"/></PHONE_CONFIG>\n',
  );
  await writeFile(
    v2,
    '<PHONE_CONFIG><OVERRIDES up.backlight.idleIntensity="3"/></PHONE_CONFIG>\n',
  );
  const put1 = await curl(['-T', v1, url(`/hq/${PHONE_MAC}-phone.cfg`)]);
  assert.equal(put1.status, 201);
  const back1 = await curl([url(`/hq/${PHONE_MAC}-phone.cfg`)]);
  assert.equal(back1.status, 200);
  assert.ok(back1.body.equals(await readFile(v1)));
  const put2 = await curl(['-T', v2, url(`/hq/${PHONE_MAC}-phone.cfg`)]);
  assert.equal(put2.status, 204);
  assert.ok(
    (await readFile(overrideFile(PHONE_MAC))).equals(await readFile(v2)),
  );
  const history = await readdir(
    join(app!.dir, 'data', 'uploads', 'hq', 'overrides', '.history'),
  );
  assert.ok(history.includes(`${PHONE_MAC}-phone.cfg.1`));
  const e = await run!.event(
    (x) => x.direction === 'upload' && x.result === 'ok',
  );
  assert.equal(e.mac, PHONE_MAC);
  // the phone that was never told OVERRIDES_DIRECTORY uploads at the root of its folder; both names are one file
  const viaDir = await curl([url(`/hq/overrides/${PHONE_MAC}-phone.cfg`)]);
  assert.ok(viaDir.body.equals(await readFile(v2)));
});

test('forbidden PUTs are refused with the right status and code', {
  skip: avail.skip,
}, async () => {
  const small = join(app!.dir, 'small.cfg');
  await writeFile(small, '<PHONE_CONFIG/>\n');
  const big = join(app!.dir, 'big.cfg');
  await writeFile(big, Buffer.alloc(OVERRIDE_CAP + 1, 0x41));
  const cases: [string, string[], number, string][] = [
    [
      'wrong MAC (lease says 0004f28062d6)',
      ['-T', small, url(`/hq/${OTHER_MAC}-phone.cfg`)],
      403,
      'TREE_MAC_MISMATCH',
    ],
    [
      'disallowed name',
      ['-T', small, url('/hq/evil.cfg')],
      403,
      'TREE_NAME_NOT_ALLOWED',
    ],
    [
      'a served file',
      ['-T', small, url('/hq/000000000000.cfg')],
      403,
      'TREE_READ_ONLY',
    ],
    [
      'into a firmware folder',
      ['-T', small, url(`/hq/ucs-5.9.7/${PHONE_MAC}-phone.cfg`)],
      403,
      'TREE_READ_ONLY',
    ],
    [
      'oversize (Content-Length)',
      ['-T', big, url(`/hq/${PHONE_MAC}-web.cfg`)],
      413,
      'TREE_TOO_LARGE',
    ],
    [
      'oversize (chunked)',
      [
        '-T',
        big,
        '-H',
        'Transfer-Encoding: chunked',
        url(`/hq/${PHONE_MAC}-web.cfg`),
      ],
      413,
      'TREE_TOO_LARGE',
    ],
    [
      'traversal',
      ['-T', small, url(`/hq/../../${PHONE_MAC}-phone.cfg`)],
      400,
      'TREE_BAD_PATH',
    ],
  ];
  for (const [what, args, status, code] of cases) {
    const r = await curl(args);
    assert.equal(r.status, status, what);
    assert.equal(r.headers['x-error-code'], code, what);
  }
  await assert.rejects(
    readFile(
      join(
        app!.dir,
        'data',
        'uploads',
        'hq',
        'overrides',
        `${PHONE_MAC}-web.cfg`,
      ),
    ),
    'oversize upload left nothing',
  );
  // Expect: 100-continue: a refused upload is answered at once, before any body byte (no 100 Continue)
  const early = await rawExchange(run!.lab, 'cli', 80, [
    {
      data: b64(
        `PUT /hq/${PHONE_MAC}-web.cfg HTTP/1.1\r\nHost: ${SRV}\r\nContent-Length: ${OVERRIDE_CAP + 1}\r\nExpect: 100-continue\r\n\r\n`,
      ),
    },
  ]);
  assert.equal(early[0]!.status, 413);
  assert.match(early[0]!.head, /X-Error-Code: TREE_TOO_LARGE/i);
  const cont = await curl([
    '-H',
    'Expect: 100-continue',
    '-T',
    small,
    url(`/hq/${PHONE_MAC}-web.cfg`),
  ]);
  assert.equal(cont.status, 201);
  await assert.rejects(
    readFile(
      join(
        app!.dir,
        'data',
        'uploads',
        'hq',
        'overrides',
        `${OTHER_MAC}-phone.cfg`,
      ),
    ),
  );
  // the other phone may write its own file
  const own = await curl(
    ['-T', small, url(`/hq/${OTHER_MAC}-phone.cfg`)],
    'other',
  );
  assert.equal(own.status, 201);
  const m = await curl(['-X', 'DELETE', url(`/hq/${PHONE_MAC}-phone.cfg`)]);
  assert.equal(m.status, 405);
  assert.equal(m.headers.allow, 'GET, HEAD, PUT');
});

test('an upload killed half way leaves the previous file intact', {
  skip: avail.skip,
}, async () => {
  const good = join(app!.dir, 'good.cfg');
  await writeFile(
    good,
    '<PHONE_CONFIG><OVERRIDES reg.1.label="kept"/></PHONE_CONFIG>\n',
  );
  assert.ok(
    [201, 204].includes(
      (await curl(['-T', good, url(`/hq/${PHONE_MAC}-phone.cfg`)])).status,
    ),
  );
  const before = await readFile(overrideFile(PHONE_MAC));
  // raw socket: headers announce 40000 bytes, 20000 are sent, then the connection closes
  const head = `PUT /hq/${PHONE_MAC}-phone.cfg HTTP/1.1\r\nHost: ${SRV}\r\nContent-Length: 40000\r\n\r\n`;
  await rawExchange(run!.lab, 'cli', 80, [
    {
      data: b64(Buffer.concat([Buffer.from(head), Buffer.alloc(20000, 0x42)])),
      abort: true,
    },
  ]);
  await run!.event(
    (x) => x.direction === 'upload' && x.result === 'HTTP_CLIENT_ABORTED',
    'raw abort event',
  );
  // curl killed (SIGKILL, by PID) while uploading, well before it could finish
  const child = await slowUpload('slow.cfg', 0x43);
  process.kill(child.pid!, 'SIGKILL');
  await run!.event(
    (x) =>
      x.direction === 'upload' &&
      x.result === 'HTTP_CLIENT_ABORTED' &&
      x.userAgent !== undefined &&
      x.bytes > 0,
    'killed curl event',
  );
  assert.ok(
    (await readFile(overrideFile(PHONE_MAC))).equals(before),
    'previous file intact',
  );
  const left = await readdir(
    join(app!.dir, 'data', 'uploads', 'hq', 'overrides'),
  );
  assert.deepEqual(
    left.filter((f) => f.endsWith('.part')),
    [],
    'no temporary files left',
  );
});

test('site basic auth: a site with accounts needs one, the root and other sites are open', {
  skip: avail.skip,
}, async () => {
  const none = await curl([url('/branch/000000000000.cfg')]);
  assert.equal(none.status, 401);
  assert.match(none.headers['www-authenticate'] ?? '', /^Basic realm="branch"/);
  const wrong = await curl([
    '-u',
    'branch:nope',
    url('/branch/000000000000.cfg'),
  ]);
  assert.equal(wrong.status, 401);
  const good = await curl([
    '-u',
    'branch:s3cret-branch',
    url('/branch/000000000000.cfg'),
  ]);
  assert.equal(good.status, 200);
  const root = await curl([url('/000000000000.cfg')]);
  assert.equal(root.status, 200);
  const small = join(app!.dir, 'branch.cfg');
  await writeFile(small, '<PHONE_CONFIG/>\n');
  assert.equal(
    (await curl(['-T', small, url(`/branch/${PHONE_MAC}-phone.cfg`)])).status,
    401,
  );
  assert.equal(
    (
      await curl([
        '-u',
        'branch:s3cret-branch',
        '-T',
        small,
        url(`/branch/${PHONE_MAC}-phone.cfg`),
      ])
    ).status,
    201,
  );
  const e = await run!.event(
    (x) => x.path.startsWith('branch/') && x.result === 'HTTP_AUTH_REQUIRED',
  );
  assert.equal(e.protocol, 'http');
});

test("an FTP site's boot-server credentials protect its files over HTTP too (reads and writes)", {
  skip: avail.skip,
}, async () => {
  const small = join(app!.dir, 'lab.cfg');
  await writeFile(small, '<PHONE_CONFIG/>\n');
  const master = url('/lab/000000000000.cfg');
  const upload = ['-T', small, url(`/lab/${PHONE_MAC}-phone.cfg`)];
  // [curl arguments, status]: the factory pair FTP refuses there is refused here too
  const cases: [string[], number][] = [
    [[master], 401],
    [['-u', 'PlcmSpIp:PlcmSpIp', master], 401],
    [['-u', 'labphones:wrong', master], 401],
    [['-u', 'labphones:f7p-lab', master], 200],
    [upload, 401],
    [['-u', 'PlcmSpIp:PlcmSpIp', ...upload], 401],
    [['-u', 'labphones:f7p-lab', ...upload], 201],
  ];
  for (const [args, status] of cases)
    assert.equal((await curl(args)).status, status, args.join(' '));
  const back = await curl(['-u', 'labphones:f7p-lab', upload[2]!]);
  assert.deepEqual(back.body, await readFile(small));
});

test('malformed requests are dropped and the server keeps serving', {
  skip: avail.skip,
}, async () => {
  const junk = [
    'GARBAGE\r\n\r\n',
    `GET /${'a'.repeat(100000)} HTTP/1.1\r\nHost: x\r\n\r\n`,
    'GET /hq/site.cfg HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n',
    '\u0000\u0001\u0002\r\n\r\n',
  ];
  const res = await rawExchange(
    run!.lab,
    'cli',
    80,
    junk.map((j) => ({ data: b64(j) })),
  );
  for (const r of res) assert.ok(r.status === 0 || r.status >= 400, r.head);
  const ok = await curl([url('/hq/site.cfg')]);
  assert.equal(ok.status, 200);
});

const overridesDir = (): string =>
  join(app!.dir, 'data', 'uploads', 'hq', 'overrides');

/**
 * curl uploading 600 kB of `fill` as this phone's override at 50 kB/s, resolved once the server has stored a
 * part of it (half a second's worth), well before curl could finish.
 */
async function slowUpload(name: string, fill: number): Promise<ChildProcess> {
  const file = join(app!.dir, name);
  await writeFile(file, Buffer.alloc(600_000, fill));
  const child = run!.lab.spawn('cli', [
    'curl',
    '-s',
    '--limit-rate',
    '50k',
    '-T',
    file,
    url(`/hq/${PHONE_MAC}-phone.cfg`),
  ]);
  await waitFor(
    () => partBytes(overridesDir()).then((n) => n >= 25_000),
    15_000,
    'part of the slow upload stored',
  );
  assert.equal(child.exitCode, null, 'curl still uploading');
  return child;
}

/** curl downloading the image at 2 MB/s into `out`, resolved once it holds 64 KiB (so it cannot be over). */
async function slowDownload(out: string): Promise<ChildProcess> {
  const dl = run!.lab.spawn('cli', [
    'curl',
    '-s',
    '-o',
    out,
    '--limit-rate',
    '2M',
    url(`/hq/${IMAGE}`),
  ]);
  await waitFor(
    () =>
      stat(out).then(
        (s) => s.size >= 64 * 1024,
        () => false,
      ),
    15_000,
    'download under way',
  );
  assert.equal(dl.exitCode, null, 'download still running');
  return dl;
}

test('a download the client abandons is recorded HTTP_CLIENT_ABORTED', {
  skip: avail.skip,
}, async () => {
  const dl = await slowDownload(join(app!.dir, 'abandoned.bin'));
  process.kill(dl.pid!, 'SIGKILL');
  const e = await run!.event(
    (x) => x.path === `hq/${IMAGE}` && x.result !== 'ok',
    'abandoned download event',
  );
  assert.equal(e.result, 'HTTP_CLIENT_ABORTED');
  assert.ok(e.bytes > 0 && e.bytes < app!.imageSize, `${e.bytes} bytes`);
});

test('close() stops listening and ends the transfers in progress, recorded HTTP_SERVER_SHUTDOWN', {
  skip: avail.skip,
}, async () => {
  const before = run!.events.length;
  const out = join(app!.dir, 'cut.bin');
  const dl = await slowDownload(out);
  const up = await slowUpload('slow-at-close.cfg', 0x44);
  const t0 = Date.now();
  await run!.stop();
  assert.ok(Date.now() - t0 < 3000, 'service closed promptly');
  assert.notEqual(run!.child.exitCode, null);
  const cut = run!.events.slice(before);
  const result = (direction: string): string[] =>
    cut.filter((x) => x.direction === direction).map((x) => x.result);
  assert.deepEqual(result('download'), ['HTTP_SERVER_SHUTDOWN']);
  assert.deepEqual(result('upload'), ['HTTP_SERVER_SHUTDOWN']);
  assert.deepEqual(
    (await readdir(overridesDir())).filter((f) => f.endsWith('.part')),
    [],
    'the cut upload left no temporary file',
  );
  // what the kernel had already queued may still trickle to curl; the rest of the file never comes
  const refused = await run!.lab.exec(
    'cli',
    [
      'curl',
      '-s',
      '-o',
      '/dev/null',
      '-w',
      '%{http_code}',
      url('/hq/site.cfg'),
    ],
    { allowFail: true },
  );
  assert.notEqual(refused.code, 0, 'nothing listens any more');
  for (const c of [dl, up])
    if (c.exitCode === null) process.kill(c.pid!, 'SIGKILL');
  const got = await stat(out).then(
    (s) => s.size,
    () => 0,
  );
  assert.ok(
    got < app!.imageSize,
    `client got ${got} of ${app!.imageSize} bytes`,
  );
});
