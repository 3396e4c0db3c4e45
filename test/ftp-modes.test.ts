/**
 * FTP data-connection modes with real clients (test/lib/ftp-lab.ts): the rendered master config and the 60 MB
 * image byte-exact over PASV, EPSV, PORT and EPRT (curl) and over lftp's active and passive modes; PORT and
 * EPRT arguments out of range answered 501 (src/ftp/passive-guard.ts), a data address other than the client's
 * refused with 500. ftp-srv's connectors compare those addresses with node:net (patches/): the 'ip' package
 * (CVE-2024-29415) is neither loaded nor installed. Transfers the server cuts when it stops are its own doing
 * (FTP_SERVER_SHUTDOWN).
 */

import assert from 'node:assert/strict';
import { readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { createTree } from '../src/tree/tree.ts';
import {
  FACTORY,
  FTP_YAML,
  ftpSuite,
  IMAGE,
  PHONE_MAC,
  REPO,
  SRV,
  sha256,
} from './lib/ftp-lab.ts';
import { loadModel } from './lib/load-model.ts';
import { waitFor } from './lib/netns.ts';

const { skip, ftp } = await ftpSuite();

/** curl's options for each mode (the lab's curl helper adds --ftp-pasv first; a later -P overrides it). */
const CURL_MODES: readonly [string, string[]][] = [
  ['PASV', ['--disable-epsv']],
  ['EPSV', []],
  ['PORT', ['-P', '-', '--disable-eprt']],
  ['EPRT', ['-P', '-']],
];

const expectedConfig = async (): Promise<Buffer> => {
  const model = await loadModel(join(ftp.dir, 'appliance.yaml'));
  const r = await createTree(model).read('hq/000000000000.cfg');
  assert.ok(r.ok);
  return r.value;
};

for (const [mode, args] of CURL_MODES) {
  test(`curl over ${mode}: the master config and the 60 MB image byte-exact`, {
    skip,
  }, async () => {
    const cfg = join(ftp.dir, `cfg-${mode}`);
    const img = join(ftp.dir, `img-${mode}`);
    const r = await ftp.curl([
      ...args,
      '-v',
      '-o',
      cfg,
      ftp.ftpUrl(FACTORY, 'hq/000000000000.cfg'),
      '-o',
      img,
      ftp.ftpUrl(FACTORY, `hq/${IMAGE}`),
    ]);
    assert.equal(r.code, 0, r.stderr.slice(-2000));
    // curl -v shows the commands it sent: the mode asked for is the one used
    assert.match(r.stderr, new RegExp(`> ${mode}\\b`));
    assert.deepEqual(await readFile(cfg), await expectedConfig());
    assert.equal(sha256(await readFile(img)), ftp.imageSha);
    await rm(img);
    ftp.alive();
  });
}

for (const passive of [false, true]) {
  test(`lftp in ${passive ? 'passive' : 'active'} mode downloads the image byte-exact`, {
    skip,
  }, async () => {
    const out = join(ftp.dir, `img-lftp-${passive}`);
    const l = await ftp.lftp(
      FACTORY,
      `set ftp:passive-mode ${passive ? 'on' : 'off'}; debug 5; cd /hq/ucs-5.9.7 && get 3111-46162-001.sip.ld -o ${out}`,
    );
    assert.equal(l.code, 0, l.stderr.slice(-2000));
    assert.match(l.stderr, passive ? /---> (PASV|EPSV)/ : /---> (PORT|EPRT)/);
    assert.equal(sha256(await readFile(out)), ftp.imageSha);
    await rm(out);
  });
}

test('PORT and EPRT out of range are answered 501; a data address not the client own is refused 500', {
  skip,
}, async () => {
  // the client's own address, and one on its subnet that is not its own
  const address = ftp.lab.hosts.cli!.address;
  const cli = address.replaceAll('.', ',');
  const other = address.replace(/\d+$/, '9').replaceAll('.', ',');
  const r = await ftp.control([
    ...ftp.login(),
    { cmd: 'PORT 10,88,0,2,999,999' },
    { cmd: `PORT ${cli},999,1` },
    { cmd: `PORT ${cli},0,0` },
    { cmd: 'PORT 1,2,3,x,4,5' },
    { cmd: `EPRT |1|${address}|70000|` },
    { cmd: `EPRT |1|${address}|abc|` },
    { cmd: `PORT ${other},156,64` },
    { cmd: 'NOOP' },
  ]);
  const codes = r.results.map((x) => x.reply.slice(0, 3));
  assert.deepEqual(
    codes.slice(2),
    ['501', '501', '501', '501', '501', '501', '500', '200'],
    r.replies,
  );
  assert.equal(r.closedByServer, false);
  ftp.alive();
});

test('transfers cut by the server at its own shutdown are recorded FTP_SERVER_SHUTDOWN, not as the client going away', {
  skip,
}, async () => {
  const y = join(ftp.dir, 'shutdown.yaml');
  await writeFile(
    y,
    FTP_YAML.replace(
      'ftp: { enabled: true, port: 21, pasvMin: 40000, pasvMax: 40299 }',
      'ftp: { enabled: true, port: 2121, pasvMin: 41100, pasvMax: 41199 }',
    ),
  );
  const c = await ftp.launch(y);
  const url = (path: string): string =>
    `ftp://${FACTORY}@${SRV}:2121/hq/${path}`;
  const img = join(ftp.dir, 'cut-img');
  const body = join(ftp.dir, 'cut-up.cfg');
  await writeFile(body, Buffer.alloc(400_000, 0x45));
  const clients = [
    ['-o', img, '--limit-rate', '2M', url(IMAGE)],
    ['-T', body, '--limit-rate', '50k', url(`${PHONE_MAC}-phone.cfg`)],
  ].map((args) => ftp.lab.spawn('cli', ['curl', '-s', '--ftp-pasv', ...args]));
  try {
    // both under way: the download holds bytes, the upload's temp file has some
    const overrides = dirname(ftp.overrideFile(PHONE_MAC));
    const partBytes = async (): Promise<number> => {
      let n = 0;
      for (const f of await readdir(overrides).catch(() => [] as string[]))
        if (f.endsWith('.part')) n += (await stat(join(overrides, f))).size;
      return n;
    };
    await waitFor(
      async () =>
        (await stat(img).catch(() => ({ size: 0 }))).size >= 64 * 1024 &&
        (await partBytes()) >= 25_000,
      15_000,
      'download and upload under way',
    );
    await c.stop();
    const result = (direction: string): string[] =>
      c.events.filter((e) => e.direction === direction).map((e) => e.result);
    assert.deepEqual(result('download'), ['FTP_SERVER_SHUTDOWN']);
    assert.deepEqual(result('upload'), ['FTP_SERVER_SHUTDOWN']);
  } finally {
    for (const k of clients) if (k.exitCode === null) k.kill('SIGKILL');
    await c.stop();
    await rm(img, { force: true });
  }
});

test('a site whose phones boot over HTTP with an account: over FTP the factory pair cannot read it, the account can', {
  skip,
}, async () => {
  const y = join(ftp.dir, 'web-site.yaml');
  await writeFile(
    y,
    `${FTP_YAML.replace(
      'ftp: { enabled: true, port: 21, pasvMin: 40000, pasvMax: 40299 }',
      'ftp: { enabled: true, port: 2121, pasvMin: 41200, pasvMax: 41299 }',
    )}  web:
    subnet: 10.91.69.0/24
    pool: 10.91.69.100-10.91.69.199
    bootServer: { protocol: http, path: web }
    accounts: [ { user: webops, password: w3b-pw } ]
`,
  );
  const c = await ftp.launch(y);
  try {
    const get = (creds: string, path: string) =>
      ftp.curl(['-o', '/dev/null', `ftp://${creds}@${SRV}:2121/${path}`]);
    const web = 'web/000000000000.cfg';
    assert.notEqual((await get(FACTORY, web)).code, 0, 'factory pair refused');
    assert.equal((await get('webops:w3b-pw', web)).code, 0);
    // the factory pair still opens the sites that give it to their phones
    assert.equal((await get(FACTORY, 'hq/000000000000.cfg')).code, 0);
  } finally {
    await c.stop();
  }
});

test("the 'ip' package is not in the lockfile nor installed; ftp-srv's manifest no longer names it", async () => {
  const lock = JSON.parse(
    await readFile(join(REPO, 'package-lock.json'), 'utf8'),
  ) as { packages: Record<string, { dependencies?: object }> };
  assert.equal(lock.packages['node_modules/ip'], undefined);
  assert.ok(
    !('ip' in (lock.packages['node_modules/ftp-srv']?.dependencies ?? {})),
  );
  const req = createRequire(join(REPO, 'node_modules/ftp-srv/package.json'));
  assert.throws(() => req.resolve('ip'), /Cannot find module/);
  const manifest = req('./package.json') as { dependencies: object };
  assert.ok(!('ip' in manifest.dependencies));
});
