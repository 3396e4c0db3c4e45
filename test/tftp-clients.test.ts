/**
 * TFTP with real clients (tftp-hpa, atftp, curl) from another network namespace: rendered config and a 60 MB
 * image byte-exact (block numbers roll over at blksize 512), uploads of <MAC>-phone.cfg, forbidden uploads
 * refused with the proper TFTP error, and an upload killed half way leaving the previous file intact.
 * Downloads go through the service's native engine (src/tftp/native/engine.c); one test repeats them on a
 * second service run with --engine js (the send machine in the service's own thread).
 * Lab: prefix "tftp", subnet 10.91.5 (srv .1, cli .2 = phone 0004f28062d6, other .3 = phone 0004f2000003).
 */

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import { waitFor } from './lib/netns.ts';
import {
  createTftpLab,
  hpaArgv,
  IMAGE,
  PHONE_MAC,
  REPO,
  SRV,
  sha256,
  type TftpLab,
} from './lib/tftp-lab.ts';

const execFileP = promisify(execFile);
let t: TftpLab | undefined;
let skip: string | false = false;

before(async () => {
  const r = await createTftpLab({
    imageSize: 60 * 1024 * 1024,
    cmds: ['tftp', 'atftp', 'curl'],
  });
  if ('skip' in r) skip = r.skip;
  else t = r;
});
after(async () => {
  await t?.destroy();
});

const lab = (): TftpLab => t ?? assert.fail('lab not started');
const out = (name: string): string => join(lab().dir, 'out', name);

test('tftp-hpa, atftp (blksize, windowsize) and curl fetch the rendered master config', async (c) => {
  if (skip) return c.skip(skip);
  const l = lab();
  const want = await l.treeRead('000000000000.cfg');
  await l.lab.exec('cli', hpaArgv('get', '000000000000.cfg', out('hpa.cfg')));
  await l.lab.exec('cli', [
    'atftp',
    '--option',
    'blksize 1024',
    '--option',
    'windowsize 4',
    '-g',
    '-r',
    '000000000000.cfg',
    '-l',
    out('atftp.cfg'),
    SRV,
  ]);
  await l.lab.exec('cli', [
    'curl',
    '-sS',
    '--tftp-blksize',
    '1468',
    '-o',
    out('curl.cfg'),
    `tftp://${SRV}/000000000000.cfg`,
  ]);
  for (const f of ['hpa.cfg', 'atftp.cfg', 'curl.cfg'])
    assert.deepEqual(await readFile(out(f)), want, f);
  assert.match(want.toString(), /<APPLICATION /);
  const e = await l.event(
    (x) =>
      x.direction === 'download' &&
      x.path === '000000000000.cfg' &&
      x.result === 'ok',
  );
  assert.equal(e.mac, PHONE_MAC, 'MAC from the lease of the peer');
});

test('a 60 MB image byte-exact: tftp-hpa at 512 (rollover past block 65535), atftp windowsize 16, curl 1468', async (c) => {
  if (skip) return c.skip(skip);
  const l = lab();
  await l.lab.exec('cli', hpaArgv('get', IMAGE, out('hpa.ld')), {
    timeoutMs: 60_000,
  });
  assert.equal(
    sha256(await readFile(out('hpa.ld'))),
    l.imageSha,
    'tftp-hpa 512-byte blocks',
  );
  await l.lab.exec(
    'cli',
    [
      'atftp',
      '--option',
      'blksize 1468',
      '--option',
      'windowsize 16',
      '-g',
      '-r',
      IMAGE,
      '-l',
      out('atftp.ld'),
      SRV,
    ],
    { timeoutMs: 60_000 },
  );
  assert.equal(
    sha256(await readFile(out('atftp.ld'))),
    l.imageSha,
    'atftp windowsize 16',
  );
  await l.lab.exec(
    'cli',
    [
      'curl',
      '-sS',
      '--tftp-blksize',
      '1468',
      '-o',
      out('curl.ld'),
      `tftp://${SRV}/${IMAGE}`,
    ],
    { timeoutMs: 60_000 },
  );
  assert.equal(
    sha256(await readFile(out('curl.ld'))),
    l.imageSha,
    'curl blksize 1468',
  );
  const ev = l.events.filter((e) => e.path === IMAGE && e.result === 'ok');
  assert.equal(ev.length, 3);
  for (const e of ev) assert.equal(e.bytes, l.imageSize);
});

test('in-thread downloads (--engine js): atftp windowsize 16 and curl get the 60 MB image and the config byte-exact', async (c) => {
  if (skip) return c.skip(skip);
  const l = lab();
  // A second service from the same yaml on port 1069 that serves downloads in its own thread (the path taken
  // with an injected clock or when the engine cannot be built); the lab's service above uses the engine.
  const child = l.lab.spawn(
    'srv',
    [
      process.execPath,
      join(REPO, 'test/lib/service-launcher.ts'),
      'tftp',
      l.yaml,
      '--port',
      '1069',
      '--engine',
      'js',
      '--quiet',
    ],
    { cwd: REPO },
  );
  let ready = false;
  child.stdout!.on('data', (d: Buffer) => {
    if (d.toString().includes('"ready":true')) ready = true;
  });
  try {
    await waitFor(
      () => ready || child.exitCode !== null,
      15_000,
      'second launcher',
    );
    assert.ok(ready, 'second launcher ready');
    await l.lab.exec(
      'cli',
      [
        'atftp',
        '--option',
        'blksize 1468',
        '--option',
        'windowsize 16',
        '-g',
        '-r',
        IMAGE,
        '-l',
        out('w0-atftp.ld'),
        SRV,
        '1069',
      ],
      { timeoutMs: 60_000 },
    );
    assert.equal(
      sha256(await readFile(out('w0-atftp.ld'))),
      l.imageSha,
      'atftp windowsize 16, in-thread',
    );
    await l.lab.exec('cli', [
      'curl',
      '-sS',
      '--tftp-blksize',
      '1468',
      '-o',
      out('w0.cfg'),
      `tftp://${SRV}:1069/000000000000.cfg`,
    ]);
    assert.deepEqual(
      await readFile(out('w0.cfg')),
      await l.treeRead('000000000000.cfg'),
      'curl rendered config, in-thread',
    );
  } finally {
    child.kill('SIGTERM');
    await waitFor(
      () => child.exitCode !== null || child.signalCode !== null,
      5_000,
      'second launcher exit',
    ).catch(() => child.kill('SIGKILL'));
  }
});

test('uploads of <MAC>-phone.cfg by tftp-hpa, atftp and curl land in the tree', async (c) => {
  if (skip) return c.skip(skip);
  const l = lab();
  const name = `${PHONE_MAC}-phone.cfg`;
  for (const [client, argv] of [
    ['hpa', (f: string) => hpaArgv('put', f, name)],
    [
      'atftp',
      (f: string) => [
        'atftp',
        '--option',
        'blksize 1468',
        '-p',
        '-l',
        f,
        '-r',
        name,
        SRV,
      ],
    ],
    ['curl', (f: string) => ['curl', '-sS', '-T', f, `tftp://${SRV}/${name}`]],
  ] as const) {
    const body = Buffer.from(
      `<?xml version="1.0"?>\n<PHONE_CONFIG up.by="${client}" ${'x'.repeat(3000)}/>\n`,
    );
    await writeFile(out(`up-${client}.cfg`), body);
    await l.lab.exec('cli', argv(out(`up-${client}.cfg`)));
    await waitFor(
      async () => (await l.treeRead(name)).equals(body),
      5000,
      `${client} upload visible`,
    );
    const e = await l.event(
      (x) =>
        x.direction === 'upload' &&
        x.result === 'ok' &&
        x.bytes === body.length,
    );
    assert.equal(e.mac, PHONE_MAC);
  }
});

test('forbidden uploads are refused with the proper TFTP error and leave nothing behind', async (c) => {
  if (skip) return c.skip(skip);
  const l = lab();
  const small = out('small.cfg');
  await writeFile(small, '<PHONE_CONFIG/>\n');
  const big = out('big.cfg');
  await writeFile(big, Buffer.alloc(l.overrideCap + 4096, 0x41));
  // curl announces tsize on upload and maps the TFTP error code to its exit status: 2 → 69, 3 → 70.
  const cases: {
    what: string;
    host: string;
    file: string;
    remote: string;
    exit: number;
    result: RegExp;
  }[] = [
    {
      what: "wrong MAC (the other phone writes this one's file)",
      host: 'other',
      file: small,
      remote: `${PHONE_MAC}-phone.cfg`,
      exit: 69,
      result: /TREE_MAC_MISMATCH/,
    },
    {
      what: 'a name that is not MAC-bound',
      host: 'cli',
      file: small,
      remote: 'evil.cfg',
      exit: 69,
      result: /TREE_(NAME_NOT_ALLOWED|READ_ONLY)/,
    },
    {
      what: 'a served file',
      host: 'cli',
      file: small,
      remote: '000000000000.cfg',
      exit: 69,
      result: /TREE_READ_ONLY/,
    },
    {
      what: 'into the firmware folder',
      host: 'cli',
      file: small,
      remote: `ucs-5.9.7/${PHONE_MAC}-phone.cfg`,
      exit: 69,
      result: /TREE_(READ_ONLY|NAME_NOT_ALLOWED)/,
    },
    {
      what: 'oversize (tsize announced)',
      host: 'cli',
      file: big,
      remote: `${PHONE_MAC}-web.cfg`,
      exit: 70,
      result: /TREE_TOO_LARGE/,
    },
  ];
  for (const k of cases) {
    const r = await l.lab.exec(
      k.host,
      ['curl', '-sS', '-T', k.file, `tftp://${SRV}/${k.remote}`],
      { allowFail: true },
    );
    assert.equal(r.code, k.exit, `${k.what}: curl exit ${r.code}: ${r.stderr}`);
    const e = await l.event(
      (x) =>
        x.direction === 'upload' &&
        k.result.test(x.result) &&
        x.path.endsWith(k.remote),
      `${k.what} event`,
    );
    assert.equal(e.bytes, 0, `${k.what}: refused before any data`);
  }
  // Oversize without tsize (tftp-hpa sends no options): refused with error 3 once the cap is crossed.
  const r = await l.lab.exec(
    'cli',
    hpaArgv('put', big, `${PHONE_MAC}-web.cfg`),
    { allowFail: true },
  );
  assert.match(
    r.stdout + r.stderr,
    /Error code 3/,
    `tftp-hpa oversize: ${r.stdout}${r.stderr}`,
  );
  const e = await l.event(
    (x) =>
      x.direction === 'upload' && x.result === 'TREE_TOO_LARGE' && x.bytes > 0,
    'oversize stream event',
  );
  assert.ok(e.bytes <= l.overrideCap + 512);
  await assert.rejects(
    l.treeRead(`${PHONE_MAC}-web.cfg`),
    /TREE_NOT_FOUND/,
    'nothing stored',
  );
});

test('an upload killed half way leaves the previous file intact', async (c) => {
  if (skip) return c.skip(skip);
  const l = lab();
  const name = `${PHONE_MAC}-phone.cfg`;
  const before = await l.treeRead(name);
  const fifo = out('slow.fifo');
  await execFileP('mkfifo', [fifo]);
  const client = l.lab.spawn('cli', hpaArgv('put', fifo, name));
  const { open } = await import('node:fs/promises');
  const w = await open(fifo, 'w');
  await w.write(Buffer.alloc(20 * 512, 0x42)); // 20 full blocks reach the server, then the writer stalls
  await waitFor(
    async () => (await l.stats()).bytesReceived >= 10 * 512,
    5000,
    'partial upload in progress',
  );
  process.kill(client.pid!, 'SIGKILL');
  await l.event(
    (x) => x.direction === 'upload' && x.result === 'TFTP_TIMEOUT',
    'server gives the upload up',
  );
  await w.close();
  assert.deepEqual(
    await l.treeRead(name),
    before,
    'previous version still served',
  );
});
