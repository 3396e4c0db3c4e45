/**
 * TreeFileSystem over a real tree on disk (test/lib/tree-fixture.ts: the default lab, served at hq/, with the
 * traversal traps escape.cfg and evil-link): what each ftp-srv call returns, how tree errors become FTP
 * replies, and the transfer event each refused or finished transfer leaves; and the RETR buffer sizing.
 */

import assert from 'node:assert/strict';
import { once } from 'node:events';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { after, test } from 'node:test';
import type { FtpConnection } from 'ftp-srv';
import pino from 'pino';
import { labYaml } from '../../test/lib/lab-yaml.ts';
import { createTreeLab } from '../../test/lib/tree-fixture.ts';
import type { TransferEvent } from '../runtime/events.ts';
import type { Mac } from '../shared/mac.ts';
import {
  authenticate,
  FACTORY_PASSWORD,
  FACTORY_USER,
  type FtpAccount,
} from './accounts.ts';
import { retrChunk, TreeFileSystem } from './filesystem.ts';
import { ConnectionTransfers, createTransferLog } from './transfers.ts';

const MAC = '0004f28062d6';
const lab = await createTreeLab(labYaml(), {
  'ucs/3111-46162-001.sip.ld': 'image bytes',
});
after(() => lab.cleanup());

function fileSystem(
  account: FtpAccount | undefined = authenticate(
    lab.model,
    FACTORY_USER,
    FACTORY_PASSWORD,
  ),
) {
  assert.ok(account, 'the account logs in');
  const events: TransferEvent[] = [];
  const reads = { active: 0 };
  const fs = new TreeFileSystem({} as FtpConnection, {
    tree: { current: () => lab.tree },
    account,
    peer: '10.90.0.150',
    leases: { macForAddress: () => MAC as Mac },
    transfers: new ConnectionTransfers(),
    tlog: createTransferLog(
      {
        emit: (e) => {
          if (e.type === 'transfer') events.push(e);
        },
      },
      pino({ level: 'silent' }),
    ),
    controlAlive: () => true,
    controlClosed: new Promise(() => {}),
    graceMs: 5,
    reads,
  });
  return { fs, events, reads };
}

/** Expect an FTP reply error with this code and reply code. */
const refusal =
  (code: string, replyCode: number) =>
  (e: unknown): boolean => {
    assert.equal((e as { code?: string }).code, code);
    assert.equal((e as { replyCode?: number }).replyCode, replyCode);
    return true;
  };

/** Each call [method, argument, code, FTP reply code] is refused with that code and reply. */
async function refusesAll(
  fs: TreeFileSystem,
  calls: readonly ['get' | 'read' | 'list' | 'write', string, string, number][],
): Promise<void> {
  for (const [method, arg, code, reply] of calls)
    await assert.rejects(fs[method](arg), refusal(code, reply), method + arg);
}

async function drain(s: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of s) chunks.push(Buffer.from(c as Uint8Array));
  return Buffer.concat(chunks).toString('latin1');
}

const treeText = async (path: string): Promise<string> => {
  const r = await lab.tree.read(path);
  assert.ok(r.ok, path);
  return r.value.toString('latin1');
};

test('RETR chunks: 64 KiB while few downloads run, halving down to 16 KiB as a 32 MiB budget is shared', () => {
  assert.equal(retrChunk(1), 64 * 1024);
  assert.equal(retrChunk(100), 64 * 1024); // 100 × 4 × 64 KiB = 25 MiB
  assert.equal(retrChunk(200), 32 * 1024);
  assert.equal(retrChunk(550), 16 * 1024); // the storm: 550 × 4 × 16 KiB = 34 MiB
  assert.equal(retrChunk(5000), 16 * 1024); // never below 16 KiB
});

test('get and list: stats of tree entries; a missing file is TREE_NOT_FOUND 550', async () => {
  const { fs } = fileSystem();
  const st = await fs.get('hq/site.cfg');
  assert.equal(st.name, 'hq/site.cfg');
  assert.equal(st.size, (await treeText('hq/site.cfg')).length);
  assert.equal(st.isDirectory(), false);
  assert.equal((await fs.get('hq')).isDirectory(), true);
  const names = (await fs.list('hq')).map((s) => s.name);
  for (const n of ['site.cfg', '000000000000.cfg', 'ucs'])
    assert.ok(names.includes(n), `hq lists ${n}: ${names.join(' ')}`);
  assert.ok((await fs.list('/')).some((s) => s.name === 'hq'));
  await assert.rejects(fs.get('hq/nope.cfg'), refusal('TREE_NOT_FOUND', 550));
  await assert.rejects(fs.list('hq/nope'), refusal('TREE_NOT_FOUND', 550));
});

test('chdir: into folders, never above the root, not into a file', async () => {
  const { fs } = fileSystem();
  assert.equal(await fs.chdir('hq'), '/hq');
  assert.equal(fs.currentDirectory(), '/hq');
  assert.equal(
    (await fs.get('site.cfg')).size,
    (await treeText('hq/site.cfg')).length,
    'relative to the new cwd',
  );
  assert.equal(await fs.chdir('ucs'), '/hq/ucs');
  assert.equal(await fs.chdir('../..'), '/');
  assert.equal(await fs.chdir('../..'), '/');
  await assert.rejects(
    fs.chdir('hq/site.cfg'),
    refusal('FTP_NOT_A_DIRECTORY', 550),
  );
  assert.equal(fs.currentDirectory(), '/', 'a refused CWD leaves the cwd');
});

test('read: the tree bytes from the start or a REST offset; the download is counted while it runs', async () => {
  const { fs, reads, events } = fileSystem();
  await fs.chdir('/hq');
  const whole = await fs.read('site.cfg');
  assert.equal(whole.clientPath, '/hq/site.cfg');
  assert.equal(reads.active, 1);
  assert.equal(await drain(whole.stream), await treeText('hq/site.cfg'));
  if (!whole.stream.closed) await once(whole.stream, 'close');
  assert.equal(reads.active, 0);
  const tail = await fs.read('ucs/3111-46162-001.sip.ld', { start: 6 });
  assert.equal(await drain(tail.stream), 'bytes');
  assert.deepEqual(
    events,
    [],
    'a download that starts leaves its event to the RETR outcome',
  );
});

test('traversal: relative segments, control characters and symlinks out of the tree are refused, each with an event', async () => {
  const { fs, events } = fileSystem();
  await refusesAll(fs, [
    ['get', '../../etc/passwd', 'TREE_BAD_PATH', 550],
    ['read', '/hq/../../etc/passwd', 'TREE_BAD_PATH', 550],
    ['read', 'hq/a\u0000b', 'TREE_BAD_PATH', 550],
    ['read', 'escape.cfg', 'TREE_ESCAPE', 550],
    ['read', 'evil-link/passwd', 'TREE_ESCAPE', 550],
    ['list', 'evil-link', 'TREE_ESCAPE', 550],
    ['write', `../../${MAC}-phone.cfg`, 'TREE_BAD_PATH', 553],
  ]);
  assert.deepEqual(
    events.map((e) => [e.direction, e.result, e.bytes]),
    [
      ['download', 'TREE_BAD_PATH', 0],
      ['download', 'TREE_BAD_PATH', 0],
      ['download', 'TREE_ESCAPE', 0],
      ['download', 'TREE_ESCAPE', 0],
      ['upload', 'TREE_BAD_PATH', 0],
    ],
  );
});

test('write: a phone file is stored and read back; APPE appends; the event counts the bytes', async () => {
  const { fs, events } = fileSystem();
  const up = await fs.write(`hq/${MAC}-phone.cfg`);
  assert.equal(up.clientPath, `/hq/${MAC}-phone.cfg`);
  up.stream.end(Buffer.from('<PHONE_CONFIG/>'));
  await once(up.stream, 'finish');
  assert.equal(
    await treeText(`hq/overrides/${MAC}-phone.cfg`),
    '<PHONE_CONFIG/>',
  );
  const more = await fs.write(`hq/${MAC}-phone.cfg`, { append: true });
  more.stream.end(Buffer.from('\n'));
  await once(more.stream, 'finish');
  assert.equal(
    await treeText(`hq/overrides/${MAC}-phone.cfg`),
    '<PHONE_CONFIG/>\n',
  );
  assert.deepEqual(
    events.map((e) => [e.direction, e.path, e.mac, e.result, e.bytes]),
    [
      ['upload', `hq/${MAC}-phone.cfg`, MAC, 'ok', 15],
      ['upload', `hq/${MAC}-phone.cfg`, MAC, 'ok', 16],
    ],
  );
});

test('write refusals: served files, names phones may not upload, REST before STOR', async () => {
  const { fs, events } = fileSystem();
  await assert.rejects(fs.write('hq/site.cfg'), refusal('TREE_READ_ONLY', 550));
  await assert.rejects(
    fs.write(`hq/logs/${MAC}-phone.cfg`),
    refusal('TREE_NAME_NOT_ALLOWED', 553),
  );
  await assert.rejects(
    fs.write(`hq/${MAC}-phone.cfg`, { start: 10 }),
    refusal('FTP_NOT_PERMITTED', 550),
  );
  assert.deepEqual(
    events.map((e) => e.result),
    ['TREE_READ_ONLY', 'TREE_NAME_NOT_ALLOWED', 'FTP_NOT_PERMITTED'],
  );
});

test('a site account sees only its site: the root listing is filtered, paths outside are FTP_OUTSIDE_SITE', async () => {
  const { fs } = fileSystem(authenticate(lab.model, 'hqadmin', 'hq-secret-1'));
  assert.deepEqual(
    (await fs.list('/')).map((s) => s.name),
    ['hq'],
  );
  assert.equal((await fs.get('hq/site.cfg')).name, 'hq/site.cfg');
  await refusesAll(fs, [
    ['get', '000000000000.cfg', 'FTP_OUTSIDE_SITE', 550],
    ['read', '/000000000000.cfg', 'FTP_OUTSIDE_SITE', 550],
  ]);
});

test('mkdir and chmod are refused with FTP_NOT_PERMITTED 550', async () => {
  const { fs } = fileSystem();
  for (const call of [fs.mkdir(), fs.chmod()])
    await assert.rejects(call, refusal('FTP_NOT_PERMITTED', 550));
});

test('DELE and RNFR/RNTO: MAC-bound uploads only, the replaced or deleted content kept as a generation', async () => {
  const { fs } = fileSystem();
  const put = async (name: string, body: string): Promise<void> => {
    const up = await fs.write(name);
    up.stream.end(Buffer.from(body));
    await once(up.stream, 'finish');
  };
  const history = (name: string): Promise<string[]> =>
    readdir(join(lab.model.dataDir, 'uploads/hq/overrides/.history')).then(
      (n) => n.filter((f) => f.startsWith(name)).sort(),
      () => [],
    );
  await put(`hq/${MAC}-web.cfg`, 'web');
  await put(`hq/${MAC}-phone.cfg`, 'phone');
  await fs.rename(`hq/${MAC}-web.cfg`, `hq/overrides/${MAC}-phone.cfg`);
  assert.equal(await treeText(`hq/${MAC}-phone.cfg`), 'web');
  await assert.rejects(
    fs.get(`hq/${MAC}-web.cfg`),
    refusal('TREE_NOT_FOUND', 550),
  );
  assert.ok(
    (await history(`${MAC}-phone.cfg`)).length >= 1,
    'the replaced phone.cfg is a generation',
  );
  const before = (await history(`${MAC}-phone.cfg`)).length;
  await fs.delete(`hq/${MAC}-phone.cfg`);
  await assert.rejects(
    fs.get(`hq/overrides/${MAC}-phone.cfg`),
    refusal('TREE_NOT_FOUND', 550),
  );
  assert.equal(
    (await history(`${MAC}-phone.cfg`)).length,
    before + 1,
    'the deleted file is a generation',
  );
  await assert.rejects(
    fs.delete(`hq/${MAC}-phone.cfg`),
    refusal('TREE_NOT_FOUND', 550),
  );
  await assert.rejects(
    fs.delete('hq/site.cfg'),
    refusal('TREE_READ_ONLY', 550),
  );
  await assert.rejects(
    fs.delete('hq/ucs/3111-46162-001.sip.ld'),
    refusal('TREE_READ_ONLY', 550),
  );
  await assert.rejects(
    fs.delete('hq/notes.txt'),
    (e: unknown) => (e as { code?: string }).code === 'TREE_NAME_NOT_ALLOWED',
  );
  await assert.rejects(
    fs.delete('../../etc/passwd'),
    (e: unknown) => (e as { code?: string }).code === 'TREE_BAD_PATH',
  );
  await put(`hq/${MAC}-web.cfg`, 'web 2');
  await assert.rejects(
    fs.rename(`hq/${MAC}-web.cfg`, 'hq/site.cfg'),
    refusal('TREE_READ_ONLY', 550),
  );
  await assert.rejects(
    fs.rename(`hq/${MAC}-web.cfg`, `hq/0004f2000009-web.cfg`),
    (e: unknown) => (e as { code?: string }).code === 'TREE_MAC_MISMATCH',
  );
  await assert.rejects(
    fs.rename(`hq/${MAC}-web.cfg`, `hq/${MAC}-app.log`),
    (e: unknown) => (e as { code?: string }).code === 'TREE_NAME_NOT_ALLOWED',
  );
  assert.equal(
    await treeText(`hq/${MAC}-web.cfg`),
    'web 2',
    'a refused rename leaves the file',
  );
});
