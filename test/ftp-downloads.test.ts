/**
 * FTP downloads with real clients (lftp, curl) in network namespaces (prefix "ftp", subnet 10.91.6), passive
 * mode: the factory account PlcmSpIp and a site account fetch a rendered config and a 60 MB image byte-exact;
 * ordinary commands; the site account is refused outside its site; 100 clients at once over the passive
 * range; explicit FTPS. The lab and the clients: test/lib/ftp-lab.ts.
 */

import assert from 'node:assert/strict';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadConfigFile } from '../src/config/load.ts';
import { createTree } from '../src/tree/tree.ts';
import {
  FACTORY,
  FTP_YAML,
  ftpSuite,
  HQ,
  IMAGE,
  IMAGE_SIZE,
  PHONE_MAC,
  REPO,
  SRV,
  SUBNET,
  sha256,
} from './lib/ftp-lab.ts';

const { skip, ftp } = await ftpSuite();
const { curl, lftp, ftpUrl, overrideFile, event } = ftp;

test('PlcmSpIp fetches the rendered master config and the 60 MB image byte-exact (curl and lftp)', {
  skip,
}, async () => {
  const loaded = await loadConfigFile(join(ftp.dir, 'appliance.yaml'));
  assert.ok(loaded.ok);
  const expected = await createTree(loaded.value.model).read(
    'hq/000000000000.cfg',
  );
  assert.ok(expected.ok);
  const out = join(ftp.dir, 'cfg-curl');
  const r = await curl(['-o', out, ftpUrl(FACTORY, 'hq/000000000000.cfg')]);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(await readFile(out), expected.value);
  const e = await event(
    (x) => x.path === 'hq/000000000000.cfg' && x.direction === 'download',
    'config event',
  );
  assert.equal(e.result, 'ok');
  assert.equal(e.protocol, 'ftp');
  assert.equal(e.peer, `${SUBNET}.2`);
  assert.equal(e.mac, PHONE_MAC);
  assert.equal(e.bytes, expected.value.length);

  const img = join(ftp.dir, 'img-curl');
  const big = await curl(['-o', img, ftpUrl(FACTORY, `hq/${IMAGE}`)]);
  assert.equal(big.code, 0, big.stderr);
  assert.equal(sha256(await readFile(img)), ftp.imageSha);
  await rm(img);

  const img2 = join(ftp.dir, 'img-lftp');
  const l = await lftp(
    FACTORY,
    `cd /hq/ucs-5.9.7 && get 3111-46162-001.sip.ld -o ${img2}`,
  );
  assert.equal(l.code, 0, l.stderr);
  assert.equal(sha256(await readFile(img2)), ftp.imageSha);
  await rm(img2);
  const ev = await event(
    (x) =>
      x.path === `hq/${IMAGE}` && x.bytes === IMAGE_SIZE && x.result === 'ok',
    'image event',
  );
  assert.equal(ev.direction, 'download');
});

test('ftp-srv installs no process signal handlers (main.ts owns SIGTERM/SIGINT)', {
  skip,
}, () => {
  assert.equal(ftp.ready.signalListeners, 0);
});

test('ordinary commands: PWD, CWD, CDUP, LIST, NLST, SIZE, MDTM, TYPE, FEAT (lftp)', {
  skip,
}, async () => {
  const r = await lftp(
    FACTORY,
    'pwd; cd hq; pwd; cls -1; cd ..; pwd; quote SIZE /hq/ucs-5.9.7/3111-46162-001.sip.ld; quote MDTM hq/000000000000.cfg; quote TYPE I; quote FEAT; cd ucs-5.9.7 || echo no-such-dir',
  );
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /ftp:\/\/PlcmSpIp(@|:[^@]*@)10\.91\.6\.1\/?\n/);
  assert.match(r.stdout, /\/hq\n/);
  assert.match(r.stdout, /000000000000\.cfg/);
  assert.match(r.stdout, new RegExp(`213 ${IMAGE_SIZE}`));
  assert.match(r.stdout, /213 \d{14}/);
  assert.match(r.stdout, /200 Switch to "binary"/);
  assert.match(r.stdout, /211[- ]/);
  const list = await curl([ftpUrl(FACTORY, 'hq/')]);
  assert.equal(list.code, 0, list.stderr);
  assert.match(list.stdout, /-r--r--r-- .* 000000000000\.cfg/);
  assert.match(list.stdout, /dr-xr-xr-x .* ucs-5\.9\.7/);
  const nlst = await curl(['--list-only', ftpUrl(FACTORY, 'hq/ucs-5.9.7/')]);
  assert.equal(nlst.stdout.trim(), '3111-46162-001.sip.ld');
});

test('a site account reads its own site and is refused outside it', {
  skip,
}, async () => {
  const out = join(ftp.dir, 'cfg-hq');
  const ok = await curl(['-o', out, ftpUrl(HQ, 'hq/000000000000.cfg')]);
  assert.equal(ok.code, 0, ok.stderr);
  const img = join(ftp.dir, 'img-hq');
  const big = await lftp(HQ, `get /hq/${IMAGE} -o ${img}`);
  assert.equal(big.code, 0, big.stderr);
  assert.equal(sha256(await readFile(img)), ftp.imageSha);
  await rm(img);
  for (const path of ['branch/000000000000.cfg', IMAGE, '000000000000.cfg']) {
    const r = await curl([
      '-v',
      '--ftp-method',
      'nocwd',
      '-o',
      join(ftp.dir, 'nope'),
      ftpUrl(HQ, path),
    ]);
    assert.notEqual(r.code, 0, `${path} must be refused`);
    assert.match(r.stderr, /< 550 FTP_OUTSIDE_SITE/, path); // curl asks SIZE first: refused there
    const l = await lftp(HQ, `get /${path} -o ${join(ftp.dir, 'nope')}`);
    assert.notEqual(l.code, 0);
    assert.match(l.stderr, /550/);
  }
  const cwd = await curl([
    '-o',
    join(ftp.dir, 'nope'),
    ftpUrl(HQ, 'branch/000000000000.cfg'),
  ]);
  assert.equal(cwd.code, 9, "curl's CWD into /branch is refused");
  const cd = await lftp(HQ, 'cd /branch');
  assert.notEqual(cd.code, 0);
  assert.match(cd.stderr, /550/);
  const root = await curl(['--list-only', ftpUrl(HQ, '')]);
  assert.equal(root.code, 0, root.stderr);
  assert.deepEqual(root.stdout.trim().split(/\r?\n/), ['hq']);
  const bad = await curl([
    '-o',
    join(ftp.dir, 'nope'),
    ftpUrl('hqphones:wrong', 'hq/000000000000.cfg'),
  ]);
  assert.notEqual(bad.code, 0);
  assert.match(bad.stderr, /530|Access denied|denied/i);
  const other = await curl([
    '-v',
    '--ftp-method',
    'nocwd',
    '-o',
    join(ftp.dir, 'nope'),
    ftpUrl('branch:br-s3cret', 'hq/000000000000.cfg'),
  ]);
  assert.match(other.stderr, /< 550 FTP_OUTSIDE_SITE/);
});

test('100 clients at once over a 300-port passive range: no failures, no "Unable to find valid port"', {
  skip,
}, async () => {
  const urls: string[] = [];
  for (let i = 0; i < 100; i++)
    urls.push(
      '-o',
      join(ftp.dir, `par-${i}`),
      ftpUrl(FACTORY, 'hq/000000000000.cfg'),
    );
  const r = await curl([
    '--parallel',
    '--parallel-immediate',
    '--parallel-max',
    '100',
    '--ftp-method',
    'nocwd',
    ...urls,
  ]);
  assert.equal(r.code, 0, r.stderr);
  const want = await readFile(join(ftp.dir, 'par-0'));
  for (let i = 1; i < 100; i++)
    assert.deepEqual(await readFile(join(ftp.dir, `par-${i}`)), want);
  assert.doesNotMatch(ftp.stderr(), /Unable to find valid port/);
});

test('explicit FTPS (AUTH TLS) when services.ftp.cert/key are set', {
  skip,
}, async () => {
  const tls = join(ftp.dir, 'tls');
  await ftp.lab.exec('srv', [
    'sh',
    join(REPO, 'test/fixtures/tls/make-certs.sh'),
    tls,
    SRV,
  ]);
  const y = join(ftp.dir, 'ftps.yaml');
  await writeFile(
    y,
    FTP_YAML.replace(
      'ftp: { enabled: true, port: 21, pasvMin: 40000, pasvMax: 40299 }',
      `ftp: { enabled: true, port: 2121, pasvMin: 41000, pasvMax: 41099, cert: ./tls/server.crt, key: ./tls/server.key }`,
    ),
  );
  const c = await ftp.launch(y);
  try {
    const out = join(ftp.dir, 'ftps.out');
    const url = `ftp://${FACTORY}@${SRV}:2121/hq/000000000000.cfg`;
    const r = await curl([
      '--ssl-reqd',
      '--cacert',
      join(tls, 'ca.crt'),
      '-o',
      out,
      url,
    ]);
    assert.equal(r.code, 0, r.stderr);
    const loaded = await loadConfigFile(join(ftp.dir, 'appliance.yaml'));
    assert.ok(loaded.ok);
    const expected = await createTree(loaded.value.model).read(
      'hq/000000000000.cfg',
    );
    assert.ok(expected.ok);
    assert.deepEqual(await readFile(out), expected.value);
    const v = join(ftp.dir, 'ftps.cfg');
    await writeFile(
      v,
      '<PHONE_CONFIG><OVERRIDES up.tls="1"/></PHONE_CONFIG>\n',
    );
    const put = await curl([
      '-v',
      '--ssl-reqd',
      '--cacert',
      join(tls, 'ca.crt'),
      '-T',
      v,
      `ftp://${FACTORY}@${SRV}:2121/hq/${PHONE_MAC}-phone.cfg`,
    ]);
    assert.equal(put.code, 0, put.stderr);
    assert.deepEqual(
      await readFile(overrideFile(PHONE_MAC)),
      await readFile(v),
    );
    const wrongCa = await curl([
      '--ssl-reqd',
      '--cacert',
      join(tls, 'client-ca.crt'),
      '-o',
      join(ftp.dir, 'nope'),
      url,
    ]);
    assert.notEqual(
      wrongCa.code,
      0,
      'a client that does not trust the certificate refuses',
    );
    const plain = await curl([
      '-o',
      join(ftp.dir, 'plain.cfg'),
      `ftp://${FACTORY}@${SRV}:2121/hq/000000000000.cfg`,
    ]);
    assert.equal(plain.code, 0, 'plain FTP still works for phones without TLS');
  } finally {
    await c.stop();
  }
});
