/**
 * FTP path traversal and control-channel robustness (prefix "ftp", subnet 10.91.6): the traversal corpus never
 * escapes through SIZE, MDTM, CWD, RETR, LIST or STOR (tftpboot holds escape.txt, escape.cfg and evil-link,
 * symlinks leading out of it); commands split across segments and bare LF work; random bytes, random splits,
 * huge lines and a command flood crash nothing. The lab and the raw client: test/lib/ftp-lab.ts.
 */

import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import { FACTORY, ftpSuite, traversalCorpus } from './lib/ftp-lab.ts';

// the two symlinks test/fixtures/traversal-corpus.txt names, beside escape.txt
const { skip, ftp } = await ftpSuite({
  links: { 'escape.cfg': '/etc/passwd', 'evil-link': '/etc' },
});
const { lftp, control, login, alive } = ftp;

test('traversal corpus: zero escapes through SIZE, MDTM, CWD, RETR, LIST and STOR', {
  skip,
}, async () => {
  const corpus = await traversalCorpus();
  assert.ok(corpus.length >= 50, `corpus has ${corpus.length} paths`);
  const steps: object[] = [...login()];
  for (const p of corpus) {
    steps.push(
      { cmd: `SIZE ${p}` },
      { cmd: `MDTM ${p}` },
      { cmd: `CWD ${p}` },
      { cmd: 'PWD' },
      { cmd: 'CWD /' },
      { retr: p },
      { list: p },
      { stor: p, dataHex: Buffer.from('pwned').toString('hex') },
    );
  }
  const r = await control(steps, 300);
  assert.equal(r.closedByServer, false, 'server kept the session');
  const passwd = await readFile('/etc/passwd', 'utf8');
  const firstLine = passwd.split('\n')[0]!;
  for (const x of r.results) {
    const data = Buffer.from(x.data ?? '', 'base64').toString('latin1');
    assert.ok(
      !data.includes(firstLine) && !data.includes('SENTINEL'),
      `${x.step} leaked file content`,
    );
    assert.ok(
      !/\bshadow\b|\bpasswd\b|\bhostname\b/.test(data),
      `${x.step} listed a folder outside the tree: ${data.slice(0, 200)}`,
    );
    if (x.step.startsWith('SIZE') || x.step.startsWith('MDTM'))
      assert.match(x.reply, /^5\d\d /, `${x.step}: ${x.reply}`);
    if (x.step.startsWith('RETR') || x.step.startsWith('STOR'))
      assert.match(
        x.reply.split('\n').pop()!,
        /^[45]\d\d /,
        `${x.step}: ${x.reply}`,
      );
    if (x.step === 'PWD')
      assert.match(
        x.reply,
        /^257 "\/(hq|overrides|logs|contacts|calls)?"/,
        `PWD after a corpus CWD: ${x.reply}`,
      );
  }
  const writes = ftp.events.filter(
    (e) =>
      e.direction === 'upload' && e.result === 'ok' && corpus.includes(e.path),
  );
  assert.deepEqual(writes, []);
  alive();
});

test('control channel: commands split across segments and bare LF work', {
  skip,
}, async () => {
  const r = await control([
    { text: 'US' },
    { text: 'ER PlcmS' },
    { text: 'pIp\r' },
    { text: '\nPA' },
    { text: 'SS PlcmSpIp\n' },
    { text: 'PWD\nTYPE I\r\nSIZE /hq/000000000000.cfg\n' },
    { cmd: 'NOOP' },
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
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x;
  };
}

test('fuzz: random bytes, random splits, huge lines, a command flood: no crash, server still answers', {
  skip,
}, async () => {
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
  const verbs = [
    'USER',
    'PASS',
    'RETR',
    'STOR',
    'APPE',
    'LIST',
    'NLST',
    'CWD',
    'CDUP',
    'SIZE',
    'MDTM',
    'REST',
    'ALLO',
    'TYPE',
    'OPTS',
    'SITE',
    'AUTH',
    'PBSZ',
    'PROT',
    'RNFR',
    'RNTO',
    'DELE',
    'MKD',
    'STAT',
    'HELP',
    'FEAT',
    'NOOP',
  ];
  const shaped: object[] = [...login()];
  let text = '';
  for (let i = 0; i < 300; i++) {
    const arg = Buffer.alloc(rnd() % 40);
    for (let k = 0; k < arg.length; k++) arg[k] = 32 + (rnd() % 95);
    text += `${verbs[rnd() % verbs.length]} ${arg.toString('latin1')}${rnd() % 2 ? '\r\n' : '\n'}`;
  }
  for (let i = 0; i < text.length; ) {
    const n = 1 + (rnd() % 64);
    shaped.push({ text: text.slice(i, i + n), delayMs: 1 });
    i += n;
  }
  sessions.push(shaped);
  const results = await Promise.all(sessions.map((st) => control(st, 200)));

  for (const r of results)
    assert.doesNotMatch(r.replies, /^$/, 'got at least a greeting');
  // a line over the cap closes that connection with 500, and only that one
  const huge = await control(
    [{ text: `USER ${'A'.repeat(100_000)}` }, { text: '\r\n' }],
    500,
  );
  assert.match(huge.replies, /^500 Command line too long/m);
  assert.equal(huge.closedByServer, true);
  // a flood of short commands (upstream #348) is answered in order without unbounded memory

  const flood = await control([{ text: 'h\r\n'.repeat(20_000) }], 1_000);
  assert.ok((flood.replies.match(/^5\d\d /gm) ?? []).length > 1000);
  alive();
  const after = await control([
    ...login(),
    { cmd: 'SIZE /hq/000000000000.cfg' },
  ]);
  assert.match(after.results.at(-1)!.reply, /^213 \d+$/);
  const l = await lftp(FACTORY, 'cls -1 /hq');
  assert.equal(l.code, 0, l.stderr);
});
