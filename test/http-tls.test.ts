/**
 * HTTPS with curl from another namespace: GET, Range, conditional GET and PUT over TLS; then with mutual TLS
 * on (services.https.clientCa), the same with a client certificate signed by the CA, and refusals without
 * one or with one from another CA.
 */

import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import {
  type ApplianceDir,
  dummyBytes,
  IMAGE,
  type Launched,
  labAvailability,
  launch,
  makeApplianceDir,
  PHONE_MAC,
  type Running,
  removeDir,
  SRV,
  startLab,
} from './lib/http-fixture.ts';

const avail = await labAvailability(['curl', 'openssl']);
let app: ApplianceDir | undefined;
let run: Running | undefined;
let mtls: Launched | undefined;
let n = 0;

interface CurlResult {
  exit: number;
  status: number;
  headers: Record<string, string>;
  body: Buffer;
  stderr: string;
}

async function curl(args: string[]): Promise<CurlResult> {
  const id = ++n;
  const hdr = join(app!.dir, `h${id}.txt`);
  const out = join(app!.dir, `b${id}.bin`);
  const r = await run!.lab.exec(
    'cli',
    [
      'curl',
      '-sS',
      '--cacert',
      join(app!.dir, 'tls/ca.crt'),
      '-D',
      hdr,
      '-o',
      out,
      '-w',
      '%{http_code}',
      ...args,
    ],
    { allowFail: true, timeoutMs: 30_000 },
  );
  const headers: Record<string, string> = {};
  const text = await readFile(hdr, 'latin1').catch(() => '');
  for (const line of text.split('\r\n').slice(1)) {
    const i = line.indexOf(':');
    if (i > 0)
      headers[line.slice(0, i).toLowerCase()] = line.slice(i + 1).trim();
  }
  return {
    exit: r.code,
    status: Number(r.stdout.trim()),
    headers,
    body: await readFile(out).catch(() => Buffer.alloc(0)),
    stderr: r.stderr,
  };
}

const url = (p: string): string => `https://${SRV}${p}`;

before(async () => {
  if (avail.skip) return;
  app = await makeApplianceDir({
    imageSize: 4 * 1024 * 1024,
    https: true,
    clientCa: false,
  });
  run = await startLab(app);
});

after(async () => {
  try {
    await mtls?.stop();
    await run?.stop();
  } finally {
    await run?.lab.destroy();
    await removeDir(app);
  }
});

/** GET, Range, conditional GET and PUT over HTTPS; extra curl arguments (a client certificate) for each. */
async function exerciseHttps(extra: string[], label: string): Promise<void> {
  const image = dummyBytes(app!.imageSize, 0x5eed);
  const get = await curl([...extra, url(`/hq/${IMAGE}`)]);
  assert.equal(get.status, 200, `${label}: ${get.stderr}`);
  assert.ok(get.body.equals(image), `${label}: image byte-exact`);
  const range = await curl([...extra, '-r', '4096-8191', url(`/hq/${IMAGE}`)]);
  assert.equal(range.status, 206, label);
  assert.ok(range.body.equals(image.subarray(4096, 8192)), label);
  const cfg = await curl([...extra, url('/hq/000000000000.cfg')]);
  assert.equal(cfg.status, 200, label);
  const cond = await curl([
    ...extra,
    '-H',
    `If-None-Match: ${cfg.headers.etag}`,
    url('/hq/000000000000.cfg'),
  ]);
  assert.equal(cond.status, 304, label);
  const body = join(app!.dir, `put-${label.replace(/\W/g, '')}.cfg`);
  await writeFile(
    body,
    `<PHONE_CONFIG><OVERRIDES reg.1.label="${label}"/></PHONE_CONFIG>\n`,
  );
  const put = await curl([
    ...extra,
    '-T',
    body,
    url(`/hq/${PHONE_MAC}-phone.cfg`),
  ]);
  assert.ok([201, 204].includes(put.status), `${label}: PUT ${put.status}`);
  const back = await curl([...extra, url(`/hq/${PHONE_MAC}-phone.cfg`)]);
  assert.ok(back.body.equals(await readFile(body)), `${label}: PUT read back`);
}

test('HTTPS: GET, Range, conditional GET and PUT; events say https', {
  skip: avail.skip,
}, async () => {
  await exerciseHttps([], 'https');
  const e = await run!.event(
    (x) =>
      x.protocol === 'https' && x.direction === 'upload' && x.result === 'ok',
  );
  assert.equal(e.mac, PHONE_MAC);
  // plain HTTP on the same appliance still works (one app, two servers)
  const plain = await run!.lab.exec('cli', [
    'curl',
    '-s',
    '-o',
    '/dev/null',
    '-w',
    '%{http_code}',
    `http://${SRV}/hq/site.cfg`,
  ]);
  assert.equal(plain.stdout, '200');
});

test('mutual TLS: refused without a client certificate or with one from another CA; served with one', {
  skip: avail.skip,
}, async () => {
  await run!.stop();
  mtls = await launch(run!.lab, join(app!.dir, 'mtls.yaml'));
  const none = await curl([url('/hq/000000000000.cfg')]);
  assert.notEqual(
    none.exit,
    0,
    'no client certificate: the TLS handshake fails',
  );
  assert.equal(none.status, 0);
  assert.equal(none.body.length, 0);
  const tls = join(app!.dir, 'tls');
  const rogue = await curl([
    '--cert',
    join(tls, 'rogue.crt'),
    '--key',
    join(tls, 'rogue.key'),
    url('/hq/000000000000.cfg'),
  ]);
  assert.notEqual(rogue.exit, 0, 'certificate from another CA: refused');
  assert.equal(rogue.body.length, 0);
  await exerciseHttps(
    ['--cert', join(tls, 'client.crt'), '--key', join(tls, 'client.key')],
    'mtls',
  );
  const e = await mtls.event(
    (x) =>
      x.protocol === 'https' && x.direction === 'download' && x.result === 'ok',
  );
  assert.equal(e.peer, '10.91.7.2');
});
