/**
 * FTP uploads with real clients (lftp, curl) in network namespaces (prefix "ftp", subnet 10.91.6): <MAC>-phone.cfg
 * by PlcmSpIp and a site account, the previous version kept; forbidden uploads get the right 5xx and change
 * nothing; a killed upload, or one short of its ALLO size, leaves the previous file. The lab and the clients:
 * test/lib/ftp-lab.ts.
 */

import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  FACTORY,
  ftpSuite,
  HQ,
  OTHER_MAC,
  OVERRIDE_CAP,
  PHONE_MAC,
  SRV,
} from './lib/ftp-lab.ts';
import { waitFor } from './lib/netns.ts';
import { hqUpload } from './lib/service-lab.ts';

const { skip, ftp } = await ftpSuite();
const { curl, lftp, control, login, ftpUrl, overrideFile, alive, event } = ftp;

test('uploads <MAC>-phone.cfg with PlcmSpIp (curl) and a site account (lftp); keeps the previous version', {
  skip,
}, async () => {
  const v1 = join(ftp.dir, 'v1.cfg');
  const v2 = join(ftp.dir, 'v2.cfg');
  await writeFile(v1, '<PHONE_CONFIG><OVERRIDES up.x="1"/></PHONE_CONFIG>\n');
  await writeFile(v2, '<PHONE_CONFIG><OVERRIDES up.x="2"/></PHONE_CONFIG>\n');
  const put = await curl([
    '-T',
    v1,
    ftpUrl(FACTORY, `hq/${PHONE_MAC}-phone.cfg`),
  ]);
  assert.equal(put.code, 0, put.stderr);
  assert.deepEqual(await readFile(overrideFile(PHONE_MAC)), await readFile(v1));
  const e = await event(
    (x) => x.direction === 'upload' && x.result === 'ok',
    'upload event',
  );
  assert.equal(e.mac, PHONE_MAC);
  assert.equal(e.path, `hq/${PHONE_MAC}-phone.cfg`);
  const l = await lftp(HQ, `cd hq && put ${v2} -o ${PHONE_MAC}-phone.cfg`);
  assert.equal(l.code, 0, l.stderr);
  assert.deepEqual(await readFile(overrideFile(PHONE_MAC)), await readFile(v2));
  const back = join(ftp.dir, 'back.cfg');
  const get = await curl(['-o', back, ftpUrl(HQ, `hq/${PHONE_MAC}-phone.cfg`)]);
  assert.equal(get.code, 0, get.stderr);
  assert.deepEqual(await readFile(back), await readFile(v2));
  const history = await readdir(
    hqUpload(ftp.dir, 'overrides', '.history'),
  ).catch(() => []);
  assert.ok(history.length >= 1, 'the previous version is kept');
});

test('forbidden uploads are refused with the proper 5xx and change nothing', {
  skip,
}, async () => {
  const small = join(ftp.dir, 'small.cfg');
  await writeFile(small, '<PHONE_CONFIG/>\n');
  const big = join(ftp.dir, 'big.cfg');
  await writeFile(big, Buffer.alloc(OVERRIDE_CAP + 1, 0x41));
  const cases: [string, string[], RegExp, string][] = [
    [
      'wrong MAC',
      ['-T', small, ftpUrl(FACTORY, `hq/${OTHER_MAC}-phone.cfg`)],
      /< 550 TREE_MAC_MISMATCH/,
      'TREE_MAC_MISMATCH',
    ],
    [
      'disallowed name',
      ['-T', small, ftpUrl(FACTORY, `hq/${PHONE_MAC}-evil.cfg`)],
      /< 553 TREE_NAME_NOT_ALLOWED/,
      'TREE_NAME_NOT_ALLOWED',
    ],
    [
      'oversize',
      ['-T', big, ftpUrl(FACTORY, `hq/${PHONE_MAC}-web.cfg`)],
      /< 552 TREE_TOO_LARGE/,
      'TREE_TOO_LARGE',
    ],
    [
      'into a firmware folder',
      ['-T', small, ftpUrl(FACTORY, `hq/ucs-5.9.7/${PHONE_MAC}-x.ld`)],
      /< 55[03] TREE_/,
      'TREE_READ_ONLY',
    ],
    [
      'a served file',
      ['-T', small, ftpUrl(FACTORY, 'hq/000000000000.cfg')],
      /< 550 TREE_READ_ONLY/,
      'TREE_READ_ONLY',
    ],
    [
      'outside the site',
      ['-T', small, ftpUrl(HQ, `branch/${PHONE_MAC}-phone.cfg`)],
      /< 550 FTP_OUTSIDE_SITE/,
      'FTP_OUTSIDE_SITE',
    ],
  ];
  for (const [what, args, reply, code] of cases) {
    const n = ftp.events.length;
    const r = await curl(['-v', '--ftp-method', 'nocwd', ...args]);
    assert.notEqual(r.code, 0, `${what} must fail`);
    assert.match(r.stderr, reply, `${what}: ${r.stderr}`);
    const e = await waitFor(
      () => ftp.events.slice(n).find((x) => x.direction === 'upload'),
      5_000,
      `${what} event`,
    );
    if (what !== 'into a firmware folder') assert.equal(e.result, code, what);
    else assert.match(e.result, /TREE_READ_ONLY|TREE_NAME_NOT_ALLOWED/);
  }
  assert.equal(existsSync(overrideFile(OTHER_MAC)), false);
  assert.equal(
    existsSync(hqUpload(ftp.dir, 'overrides', `${PHONE_MAC}-web.cfg`)),
    false,
  );
  const del = await lftp(FACTORY, 'rm /hq/000000000000.cfg');
  assert.notEqual(del.code, 0, 'a served file cannot be deleted');
  assert.match(del.stderr, /550/);
  assert.ok(existsSync(overrideFile(PHONE_MAC)));
  const mk = await lftp(FACTORY, 'mkdir /hq/x');
  assert.match(mk.stderr, /550/);
  alive();
});

test('an upload killed half way (curl, lftp) or short of its ALLO size leaves the previous file intact', {
  skip,
}, async () => {
  const good = join(ftp.dir, 'good.cfg');
  await writeFile(
    good,
    '<PHONE_CONFIG><OVERRIDES up.good="1"/></PHONE_CONFIG>\n',
  );
  const put = await curl([
    '-T',
    good,
    ftpUrl(FACTORY, `hq/${PHONE_MAC}-phone.cfg`),
  ]);
  assert.equal(put.code, 0, put.stderr);
  const before = await readFile(overrideFile(PHONE_MAC));
  const slow = join(ftp.dir, 'slow.cfg');
  await writeFile(slow, Buffer.alloc(400_000, 0x42));
  let n = ftp.events.length;
  const killed = await ftp.lab.exec(
    'cli',
    [
      'timeout',
      '-s',
      'KILL',
      '1.5',
      'curl',
      '-s',
      '--ftp-pasv',
      '--limit-rate',
      '20k',
      '-T',
      slow,
      ftpUrl(FACTORY, `hq/${PHONE_MAC}-phone.cfg`),
    ],
    { allowFail: true },
  );
  assert.notEqual(
    killed.code,
    0,
    `curl: ${killed.stderr} ${JSON.stringify(ftp.events.slice(n))}`,
  );
  let e = await waitFor(
    () => ftp.events.slice(n).find((x) => x.direction === 'upload'),
    5_000,
    'killed curl event',
  );
  assert.notEqual(e.result, 'ok');
  assert.ok(e.bytes > 0 && e.bytes < 400_000, `bytes ${e.bytes}`);
  assert.deepEqual(await readFile(overrideFile(PHONE_MAC)), before);

  n = ftp.events.length;
  const killedLftp = await ftp.lab.exec(
    'cli',
    [
      'timeout',
      '-s',
      'KILL',
      '1.5',
      'lftp',
      '-c',
      `set net:limit-rate 20000; set ftp:use-allo yes; open -u PlcmSpIp,PlcmSpIp ftp://${SRV}; put ${slow} -o /hq/${PHONE_MAC}-phone.cfg`,
    ],
    { allowFail: true },
  );
  assert.notEqual(killedLftp.code, 0);
  e = await waitFor(
    () => ftp.events.slice(n).find((x) => x.direction === 'upload'),
    5_000,
    'killed lftp event',
  );
  assert.match(e.result, /FTP_SHORT_UPLOAD|FTP_CLIENT_GONE|FTP_DISCONNECTED/);
  assert.deepEqual(await readFile(overrideFile(PHONE_MAC)), before);
  // a data connection that ends short of the size ALLO announced: refused with 426, nothing replaced
  const short = await control([
    ...login(),
    { cmd: 'TYPE I' },
    { cmd: 'ALLO 1000' },
    {
      stor: `/hq/${PHONE_MAC}-phone.cfg`,
      dataHex: Buffer.alloc(600, 0x43).toString('hex'),
    },
  ]);
  assert.match(
    short.results.at(-1)!.reply,
    /^150 [^\n]*\n426 FTP_SHORT_UPLOAD/,
    short.results.at(-1)!.reply,
  );
  assert.deepEqual(await readFile(overrideFile(PHONE_MAC)), before);
  const over = await control([
    ...login(),
    { cmd: 'ALLO 999999999' },
    { stor: `/hq/${PHONE_MAC}-phone.cfg`, dataHex: '41' },
  ]);
  assert.match(
    over.results.at(-1)!.reply,
    /^552 TREE_TOO_LARGE/,
    'an ALLO over the cap is refused before any byte',
  );
  const tmp = (await readdir(hqUpload(ftp.dir, 'overrides'))).filter(
    (f) => f !== '.history' && !f.endsWith('-phone.cfg'),
  );
  assert.deepEqual(tmp, [], 'no temporary file left behind');
  alive();
});

test("DELE and RNFR/RNTO (lftp): a phone's own uploads can be renamed and deleted, each replaced or deleted version kept; nothing else", {
  skip,
}, async () => {
  const history = (): Promise<string[]> =>
    readdir(hqUpload(ftp.dir, 'overrides', '.history')).then(
      (n) => n.filter((f) => f.startsWith(`${PHONE_MAC}-phone.cfg`)),
      () => [],
    );
  const web = join(ftp.dir, 'web.cfg');
  await writeFile(
    web,
    '<PHONE_CONFIG><OVERRIDES up.from="web"/></PHONE_CONFIG>\n',
  );
  assert.equal(
    (await curl(['-T', web, ftpUrl(FACTORY, `hq/${PHONE_MAC}-web.cfg`)])).code,
    0,
  );
  const before = (await history()).length;
  const mv = await lftp(
    FACTORY,
    `mv /hq/${PHONE_MAC}-web.cfg /hq/${PHONE_MAC}-phone.cfg`,
  );
  assert.equal(mv.code, 0, mv.stderr);
  assert.equal(
    await readFile(overrideFile(PHONE_MAC), 'utf8'),
    await readFile(web, 'utf8'),
  );
  assert.equal(
    (await history()).length,
    before + 1,
    'the replaced -phone.cfg is kept as a generation',
  );
  const rm = await lftp(FACTORY, `rm /hq/${PHONE_MAC}-phone.cfg`);
  assert.equal(rm.code, 0, rm.stderr);
  assert.equal(existsSync(overrideFile(PHONE_MAC)), false);
  assert.equal(
    (await history()).length,
    before + 2,
    'the deleted -phone.cfg is kept as a generation',
  );
  for (const cmd of [
    'rm /hq/site.cfg',
    `mv /hq/000000000000.cfg /hq/${PHONE_MAC}-phone.cfg`,
    `rm /hq/${OTHER_MAC}-phone.cfg`,
  ]) {
    const r = await lftp(FACTORY, cmd);
    assert.notEqual(r.code, 0, `${cmd} must be refused`);
    assert.match(r.stderr, /550/, cmd);
  }
  alive();
});
