/**
 * FTP service with real clients (lftp, curl) in network namespaces (prefix "ftp", subnet 10.91.6), passive
 * mode: the factory account PlcmSpIp and a site account fetch a rendered config and a 60 MB image byte-exact
 * and upload <MAC>-phone.cfg; the site account is refused outside its site; forbidden uploads get the right
 * 5xx; a killed upload leaves the previous file; the traversal corpus never escapes; and the control channel
 * survives split commands, bare LF, random bytes and huge lines. The lab and the clients: test/lib/ftp-lab.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile, readFile, readdir, rm, symlink } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { waitFor } from './lib/netns.ts';
import { loadConfigFile } from '../src/config/load.ts';
import { createTree } from '../src/tree/tree.ts';
import {
  ftpSuite, traversalCorpus, sha256, FACTORY, HQ, IMAGE, IMAGE_SIZE, OVERRIDE_CAP, OTHER_MAC, PHONE_MAC, FTP_YAML, REPO, SRV, SUBNET,
} from './lib/ftp-lab.ts';

const { skip, ftp } = await ftpSuite();
const { curl, lftp, control, login, ftpUrl, overrideFile, alive, event } = ftp;

test('PlcmSpIp fetches the rendered master config and the 60 MB image byte-exact (curl and lftp)', { skip }, async () => {
  const loaded = await loadConfigFile(join(ftp.dir, 'appliance.yaml'));
  assert.ok(loaded.ok);
  const expected = await createTree(loaded.value.model).read('hq/000000000000.cfg');
  assert.ok(expected.ok);
  const out = join(ftp.dir, 'cfg-curl');
  const r = await curl(['-o', out, ftpUrl(FACTORY, 'hq/000000000000.cfg')]);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(await readFile(out), expected.value);
  const e = await event((x) => x.path === 'hq/000000000000.cfg' && x.direction === 'download', 'config event');
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
  const l = await lftp(FACTORY, `cd /hq/ucs-5.9.7 && get 3111-46162-001.sip.ld -o ${img2}`);
  assert.equal(l.code, 0, l.stderr);
  assert.equal(sha256(await readFile(img2)), ftp.imageSha);
  await rm(img2);
  const ev = await event((x) => x.path === `hq/${IMAGE}` && x.bytes === IMAGE_SIZE && x.result === 'ok', 'image event');
  assert.equal(ev.direction, 'download');
});

test('ftp-srv installs no process signal handlers (main.ts owns SIGTERM/SIGINT)', { skip }, () => {
  assert.equal(ftp.ready.signalListeners, 0);
});

test('ordinary commands: PWD, CWD, CDUP, LIST, NLST, SIZE, MDTM, TYPE, FEAT (lftp)', { skip }, async () => {
  const r = await lftp(FACTORY, 'pwd; cd hq; pwd; cls -1; cd ..; pwd; quote SIZE /hq/ucs-5.9.7/3111-46162-001.sip.ld; quote MDTM hq/000000000000.cfg; quote TYPE I; quote FEAT; cd ucs-5.9.7 || echo no-such-dir');
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

test('a site account reads its own site and is refused outside it', { skip }, async () => {
  const out = join(ftp.dir, 'cfg-hq');
  const ok = await curl(['-o', out, ftpUrl(HQ, 'hq/000000000000.cfg')]);
  assert.equal(ok.code, 0, ok.stderr);
  const img = join(ftp.dir, 'img-hq');
  const big = await lftp(HQ, `get /hq/${IMAGE} -o ${img}`);
  assert.equal(big.code, 0, big.stderr);
  assert.equal(sha256(await readFile(img)), ftp.imageSha);
  await rm(img);
  for (const path of ['branch/000000000000.cfg', IMAGE, '000000000000.cfg']) {
    const r = await curl(['-v', '--ftp-method', 'nocwd', '-o', join(ftp.dir, 'nope'), ftpUrl(HQ, path)]);
    assert.notEqual(r.code, 0, `${path} must be refused`);
    assert.match(r.stderr, /< 550 FTP_OUTSIDE_SITE/, path); // curl asks SIZE first: refused there
    const l = await lftp(HQ, `get /${path} -o ${join(ftp.dir, 'nope')}`);
    assert.notEqual(l.code, 0);
    assert.match(l.stderr, /550/);
  }
  const cwd = await curl(['-o', join(ftp.dir, 'nope'), ftpUrl(HQ, 'branch/000000000000.cfg')]);
  assert.equal(cwd.code, 9, 'curl\'s CWD into /branch is refused');
  const cd = await lftp(HQ, 'cd /branch');
  assert.notEqual(cd.code, 0);
  assert.match(cd.stderr, /550/);
  const root = await curl(['--list-only', ftpUrl(HQ, '')]);
  assert.equal(root.code, 0, root.stderr);
  assert.deepEqual(root.stdout.trim().split(/\r?\n/), ['hq']);
  const bad = await curl(['-o', join(ftp.dir, 'nope'), ftpUrl('hqphones:wrong', 'hq/000000000000.cfg')]);
  assert.notEqual(bad.code, 0);
  assert.match(bad.stderr, /530|Access denied|denied/i);
  const other = await curl(['-v', '--ftp-method', 'nocwd', '-o', join(ftp.dir, 'nope'), ftpUrl('branch:br-s3cret', 'hq/000000000000.cfg')]);
  assert.match(other.stderr, /< 550 FTP_OUTSIDE_SITE/);
});

test('uploads <MAC>-phone.cfg with PlcmSpIp (curl) and a site account (lftp); keeps the previous version', { skip }, async () => {
  const v1 = join(ftp.dir, 'v1.cfg');
  const v2 = join(ftp.dir, 'v2.cfg');
  await writeFile(v1, '<PHONE_CONFIG><OVERRIDES up.x="1"/></PHONE_CONFIG>\n');
  await writeFile(v2, '<PHONE_CONFIG><OVERRIDES up.x="2"/></PHONE_CONFIG>\n');
  const put = await curl(['-T', v1, ftpUrl(FACTORY, `hq/${PHONE_MAC}-phone.cfg`)]);
  assert.equal(put.code, 0, put.stderr);
  assert.deepEqual(await readFile(overrideFile(PHONE_MAC)), await readFile(v1));
  const e = await event((x) => x.direction === 'upload' && x.result === 'ok', 'upload event');
  assert.equal(e.mac, PHONE_MAC);
  assert.equal(e.path, `hq/${PHONE_MAC}-phone.cfg`);
  const l = await lftp(HQ, `cd hq && put ${v2} -o ${PHONE_MAC}-phone.cfg`);
  assert.equal(l.code, 0, l.stderr);
  assert.deepEqual(await readFile(overrideFile(PHONE_MAC)), await readFile(v2));
  const back = join(ftp.dir, 'back.cfg');
  const get = await curl(['-o', back, ftpUrl(HQ, `hq/${PHONE_MAC}-phone.cfg`)]);
  assert.equal(get.code, 0, get.stderr);
  assert.deepEqual(await readFile(back), await readFile(v2));
  const history = await readdir(join(ftp.dir, 'data', 'uploads', 'hq', 'overrides', '.history')).catch(() => []);
  assert.ok(history.length >= 1, 'the previous version is kept');
});

test('forbidden uploads are refused with the proper 5xx and change nothing', { skip }, async () => {
  const small = join(ftp.dir, 'small.cfg');
  await writeFile(small, '<PHONE_CONFIG/>\n');
  const big = join(ftp.dir, 'big.cfg');
  await writeFile(big, Buffer.alloc(OVERRIDE_CAP + 1, 0x41));
  const cases: [string, string[], RegExp, string][] = [
    ['wrong MAC', ['-T', small, ftpUrl(FACTORY, `hq/${OTHER_MAC}-phone.cfg`)], /< 550 TREE_MAC_MISMATCH/, 'TREE_MAC_MISMATCH'],
    ['disallowed name', ['-T', small, ftpUrl(FACTORY, `hq/${PHONE_MAC}-evil.cfg`)], /< 553 TREE_NAME_NOT_ALLOWED/, 'TREE_NAME_NOT_ALLOWED'],
    ['oversize', ['-T', big, ftpUrl(FACTORY, `hq/${PHONE_MAC}-web.cfg`)], /< 552 TREE_TOO_LARGE/, 'TREE_TOO_LARGE'],
    ['into a firmware folder', ['-T', small, ftpUrl(FACTORY, `hq/ucs-5.9.7/${PHONE_MAC}-x.ld`)], /< 55[03] TREE_/, 'TREE_READ_ONLY'],
    ['a served file', ['-T', small, ftpUrl(FACTORY, 'hq/000000000000.cfg')], /< 550 TREE_READ_ONLY/, 'TREE_READ_ONLY'],
    ['outside the site', ['-T', small, ftpUrl(HQ, `branch/${PHONE_MAC}-phone.cfg`)], /< 550 FTP_OUTSIDE_SITE/, 'FTP_OUTSIDE_SITE'],
  ];
  for (const [what, args, reply, code] of cases) {
    const n = ftp.events.length;
    const r = await curl(['-v', '--ftp-method', 'nocwd', ...args]);
    assert.notEqual(r.code, 0, `${what} must fail`);
    assert.match(r.stderr, reply, `${what}: ${r.stderr}`);
    const e = await waitFor(() => ftp.events.slice(n).find((x) => x.direction === 'upload'), 5_000, `${what} event`);
    if (what !== 'into a firmware folder') assert.equal(e.result, code, what);
    else assert.match(e.result, /TREE_READ_ONLY|TREE_NAME_NOT_ALLOWED/);
  }
  assert.equal(existsSync(overrideFile(OTHER_MAC)), false);
  assert.equal(existsSync(join(ftp.dir, 'data', 'uploads', 'hq', 'overrides', `${PHONE_MAC}-web.cfg`)), false);
  const del = await lftp(FACTORY, `rm /hq/${PHONE_MAC}-phone.cfg`);
  assert.notEqual(del.code, 0);
  assert.match(del.stderr, /550/);
  assert.ok(existsSync(overrideFile(PHONE_MAC)));
  const mk = await lftp(FACTORY, 'mkdir /hq/x');
  assert.match(mk.stderr, /550/);
  alive();
});

test('an upload killed half way (curl, lftp) or short of its ALLO size leaves the previous file intact', { skip }, async () => {
  const good = join(ftp.dir, 'good.cfg');
  await writeFile(good, '<PHONE_CONFIG><OVERRIDES up.good="1"/></PHONE_CONFIG>\n');
  const put = await curl(['-T', good, ftpUrl(FACTORY, `hq/${PHONE_MAC}-phone.cfg`)]);
  assert.equal(put.code, 0, put.stderr);
  const before = await readFile(overrideFile(PHONE_MAC));
  const slow = join(ftp.dir, 'slow.cfg');
  await writeFile(slow, Buffer.alloc(400_000, 0x42));
  let n = ftp.events.length;
  const killed = await ftp.lab.exec('cli', ['timeout', '-s', 'KILL', '1.5', 'curl', '-s', '--ftp-pasv', '--limit-rate', '20k', '-T', slow, ftpUrl(FACTORY, `hq/${PHONE_MAC}-phone.cfg`)], { allowFail: true });
  assert.notEqual(killed.code, 0, `curl: ${killed.stderr} ${JSON.stringify(ftp.events.slice(n))}`);
  let e = await waitFor(() => ftp.events.slice(n).find((x) => x.direction === 'upload'), 5_000, 'killed curl event');
  assert.notEqual(e.result, 'ok');
  assert.ok(e.bytes > 0 && e.bytes < 400_000, `bytes ${e.bytes}`);
  assert.deepEqual(await readFile(overrideFile(PHONE_MAC)), before);

  n = ftp.events.length;
  const killedLftp = await ftp.lab.exec('cli', ['timeout', '-s', 'KILL', '1.5', 'lftp', '-c',
    `set net:limit-rate 20000; set ftp:use-allo yes; open -u PlcmSpIp,PlcmSpIp ftp://${SRV}; put ${slow} -o /hq/${PHONE_MAC}-phone.cfg`], { allowFail: true });
  assert.notEqual(killedLftp.code, 0);
  e = await waitFor(() => ftp.events.slice(n).find((x) => x.direction === 'upload'), 5_000, 'killed lftp event');
  assert.match(e.result, /FTP_SHORT_UPLOAD|FTP_CLIENT_GONE|FTP_DISCONNECTED/);
  assert.deepEqual(await readFile(overrideFile(PHONE_MAC)), before);
  // a data connection that ends short of the size ALLO announced: refused with 426, nothing replaced
  const short = await control([...login(), { cmd: 'TYPE I' }, { cmd: 'ALLO 1000' }, { stor: `/hq/${PHONE_MAC}-phone.cfg`, dataHex: Buffer.alloc(600, 0x43).toString('hex') }]);
  assert.match(short.results.at(-1)!.reply, /^150 [^\n]*\n426 FTP_SHORT_UPLOAD/, short.results.at(-1)!.reply);
  assert.deepEqual(await readFile(overrideFile(PHONE_MAC)), before);
  const over = await control([...login(), { cmd: 'ALLO 999999999' }, { stor: `/hq/${PHONE_MAC}-phone.cfg`, dataHex: '41' }]);
  assert.match(over.results.at(-1)!.reply, /^552 TREE_TOO_LARGE/, 'an ALLO over the cap is refused before any byte');
  const tmp = (await readdir(join(ftp.dir, 'data', 'uploads', 'hq', 'overrides'))).filter((f) => f !== '.history' && !f.endsWith('-phone.cfg'));
  assert.deepEqual(tmp, [], 'no temporary file left behind');
  alive();
});

test('traversal corpus: zero escapes through SIZE, MDTM, CWD, RETR, LIST and STOR', { skip }, async () => {
  const corpus = await traversalCorpus();
  assert.ok(corpus.length >= 50, `corpus has ${corpus.length} paths`);
  await symlink('/etc/passwd', join(ftp.dir, 'tftpboot', 'escape.cfg')).catch(() => {});
  await symlink('/etc', join(ftp.dir, 'tftpboot', 'evil-link')).catch(() => {});
  const steps: object[] = [...login()];
  for (const p of corpus) {
    steps.push({ cmd: `SIZE ${p}` }, { cmd: `MDTM ${p}` }, { cmd: `CWD ${p}` }, { cmd: 'PWD' }, { cmd: 'CWD /' },
      { retr: p }, { list: p }, { stor: p, dataHex: Buffer.from('pwned').toString('hex') });
  }
  const r = await control(steps, 300);
  assert.equal(r.closedByServer, false, 'server kept the session');
  const passwd = await readFile('/etc/passwd', 'utf8');
  const firstLine = passwd.split('\n')[0]!;
  for (const x of r.results) {
    const data = Buffer.from(x.data ?? '', 'base64').toString('latin1');
    assert.ok(!data.includes(firstLine) && !data.includes('SENTINEL'), `${x.step} leaked file content`);
    assert.ok(!/\bshadow\b|\bpasswd\b|\bhostname\b/.test(data), `${x.step} listed a folder outside the tree: ${data.slice(0, 200)}`);
    if (x.step.startsWith('SIZE') || x.step.startsWith('MDTM')) assert.match(x.reply, /^5\d\d /, `${x.step}: ${x.reply}`);
    if (x.step.startsWith('RETR') || x.step.startsWith('STOR')) assert.match(x.reply.split('\n').pop()!, /^[45]\d\d /, `${x.step}: ${x.reply}`);
    if (x.step === 'PWD') assert.match(x.reply, /^257 "\/(hq|overrides|logs|contacts|calls)?"/, `PWD after a corpus CWD: ${x.reply}`);
  }
  const writes = ftp.events.filter((e) => e.direction === 'upload' && e.result === 'ok' && corpus.includes(e.path));
  assert.deepEqual(writes, []);
  alive();
});

test('control channel: commands split across segments and bare LF work', { skip }, async () => {
  const r = await control([
    { text: 'US' }, { text: 'ER PlcmS' }, { text: 'pIp\r' }, { text: '\nPA' }, { text: 'SS PlcmSpIp\n' },
    { text: 'PWD\nTYPE I\r\nSIZE /hq/000000000000.cfg\n' }, { cmd: 'NOOP' },
  ]);
  assert.match(r.replies, /^331 /m);
  assert.match(r.replies, /^230 /m);
  assert.match(r.replies, /^257 "\/"/m);
  assert.match(r.replies, /^200 /m);
  assert.match(r.replies, /^213 \d+/m);
  assert.doesNotMatch(r.replies, /^5\d\d /m);
  assert.equal(r.closedByServer, false);
});

function prng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => { x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0; return x; };
}

test('fuzz: random bytes, random splits, huge lines, a command flood: no crash, server still answers', { skip }, async () => {
  const rnd = prng(0xf7f2);
  const sessions: object[][] = [];
  for (let s = 0; s < 8; s++) {
    const steps: object[] = s % 2 === 0 ? [] : [...login()];
    for (let i = 0; i < 40; i++) {
      const len = 1 + (rnd() % 200);
      const b = Buffer.alloc(len);
      for (let k = 0; k < len; k++) b[k] = rnd() & 0xff;
      steps.push({ hex: b.toString('hex'), delayMs: 2 });
    }
    sessions.push(steps);
  }
  // protocol-shaped garbage: real verbs with random arguments, split at random points
  // (no PASV/PORT: a data connection nobody opens only adds 5 s waits; PORT would aim at random addresses)
  const verbs = ['USER', 'PASS', 'RETR', 'STOR', 'APPE', 'LIST', 'NLST', 'CWD', 'CDUP', 'SIZE', 'MDTM', 'REST', 'ALLO', 'TYPE', 'OPTS', 'SITE', 'AUTH', 'PBSZ', 'PROT', 'RNFR', 'RNTO', 'DELE', 'MKD', 'STAT', 'HELP', 'FEAT', 'NOOP'];
  const shaped: object[] = [...login()];
  let text = '';
  for (let i = 0; i < 300; i++) {
    const arg = Buffer.alloc(rnd() % 40);
    for (let k = 0; k < arg.length; k++) arg[k] = 32 + (rnd() % 95);
    text += `${verbs[rnd() % verbs.length]} ${arg.toString('latin1')}${rnd() % 2 ? '\r\n' : '\n'}`;
  }
  for (let i = 0; i < text.length;) { const n = 1 + (rnd() % 64); shaped.push({ text: text.slice(i, i + n), delayMs: 1 }); i += n; }
  sessions.push(shaped);
  const results = await Promise.all(sessions.map((st) => control(st, 200)));

  for (const r of results) assert.doesNotMatch(r.replies, /^$/, 'got at least a greeting');
  // a line over the cap closes that connection with 500, and only that one
  const huge = await control([{ text: `USER ${'A'.repeat(100_000)}` }, { text: '\r\n' }], 500);
  assert.match(huge.replies, /^500 Command line too long/m);
  assert.equal(huge.closedByServer, true);
  // a flood of short commands (upstream #348) is answered in order without unbounded memory

  const flood = await control([{ text: 'h\r\n'.repeat(20_000) }], 1_000);
  assert.ok((flood.replies.match(/^5\d\d /gm) ?? []).length > 1000);
alive();
  const after = await control([...login(), { cmd: 'SIZE /hq/000000000000.cfg' }]);
  assert.match(after.results.at(-1)!.reply, /^213 \d+$/);
  const l = await lftp(FACTORY, 'cls -1 /hq');
  assert.equal(l.code, 0, l.stderr);
});

test('100 clients at once over a 300-port passive range: no failures, no "Unable to find valid port"', { skip }, async () => {
  const urls: string[] = [];
  for (let i = 0; i < 100; i++) urls.push('-o', join(ftp.dir, `par-${i}`), ftpUrl(FACTORY, 'hq/000000000000.cfg'));
  const r = await curl(['--parallel', '--parallel-immediate', '--parallel-max', '100', '--ftp-method', 'nocwd', ...urls]);
  assert.equal(r.code, 0, r.stderr);
  const want = await readFile(join(ftp.dir, 'par-0'));
  for (let i = 1; i < 100; i++) assert.deepEqual(await readFile(join(ftp.dir, `par-${i}`)), want);
  assert.doesNotMatch(ftp.stderr(), /Unable to find valid port/);
});

test('explicit FTPS (AUTH TLS) when services.ftp.cert/key are set', { skip }, async () => {
  const tls = join(ftp.dir, 'tls');
  await ftp.lab.exec('srv', ['sh', join(REPO, 'test/fixtures/tls/make-certs.sh'), tls, SRV]);
  const y = join(ftp.dir, 'ftps.yaml');
  await writeFile(y, FTP_YAML.replace('ftp: { enabled: true, port: 21, pasvMin: 40000, pasvMax: 40299 }',
    `ftp: { enabled: true, port: 2121, pasvMin: 41000, pasvMax: 41099, cert: ./tls/server.crt, key: ./tls/server.key }`));
  const c = await ftp.launch(y);
  try {
    const out = join(ftp.dir, 'ftps.out');
    const url = `ftp://${FACTORY}@${SRV}:2121/hq/000000000000.cfg`;
    const r = await curl(['--ssl-reqd', '--cacert', join(tls, 'ca.crt'), '-o', out, url]);
    assert.equal(r.code, 0, r.stderr);
    const loaded = await loadConfigFile(join(ftp.dir, 'appliance.yaml'));
    assert.ok(loaded.ok);
    const expected = await createTree(loaded.value.model).read('hq/000000000000.cfg');
    assert.ok(expected.ok);
    assert.deepEqual(await readFile(out), expected.value);
    const v = join(ftp.dir, 'ftps.cfg');
    await writeFile(v, '<PHONE_CONFIG><OVERRIDES up.tls="1"/></PHONE_CONFIG>\n');
    const put = await curl(['-v', '--ssl-reqd', '--cacert', join(tls, 'ca.crt'), '-T', v, `ftp://${FACTORY}@${SRV}:2121/hq/${PHONE_MAC}-phone.cfg`]);
    assert.equal(put.code, 0, put.stderr);
    assert.deepEqual(await readFile(overrideFile(PHONE_MAC)), await readFile(v));
    const wrongCa = await curl(['--ssl-reqd', '--cacert', join(tls, 'client-ca.crt'), '-o', join(ftp.dir, 'nope'), url]);
    assert.notEqual(wrongCa.code, 0, 'a client that does not trust the certificate refuses');
    const plain = await curl(['-o', join(ftp.dir, 'plain.cfg'), `ftp://${FACTORY}@${SRV}:2121/hq/000000000000.cfg`]);
    assert.equal(plain.code, 0, 'plain FTP still works for phones without TLS');
  } finally {
    await c.stop();
  }
});
