/**
 * The benchmarks' FTP load generator (bench/http/wire-ftp-get.ts, through bench/http/load.ts for ftp:// URLs)
 * against a small passive-mode FTP server in this process on loopback: whole files count, also many at once
 * (more than its greeting window) over the one shared read buffer; a short file, a refused login, a missing
 * file and a server that never says 226 are failures (the last one after the timeout), never thrown.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { after, test } from 'node:test';
import { ftpGet } from '../bench/http/wire-ftp-get.ts';

type Fault = 'none' | 'short' | 'silent';

const LOOP = '127.0.0.1';
const FILE = Buffer.alloc(1_048_576 + 123, 7);
const servers: Server[] = [];
after(() => {
  for (const s of servers) s.close();
});

/** Serves FILE as "dir/image.bin" to user u, password p; `fault` spoils the transfer. */
async function ftpServer(fault: Fault): Promise<number> {
  const listen = async (srv: Server): Promise<number> => {
    servers.push(srv);
    srv.listen(0, LOOP);
    await once(srv, 'listening');
    return (srv.address() as { port: number }).port;
  };
  const srv = createServer((ctl) => {
    let data: Promise<Socket> | undefined;
    const reply = (line: string): boolean => ctl.write(`${line}\r\n`);
    reply('220 ready');
    createInterface({ input: ctl }).on('line', async (line) => {
      const [cmd, arg] = line.split(' ');
      if (cmd === 'USER') reply('331 password');
      else if (cmd === 'PASS') reply(arg === 'p' ? '230 in' : '530 no');
      else if (cmd === 'TYPE') reply('200 binary');
      else if (cmd === 'PASV') {
        const d = createServer();
        data = new Promise((r) => d.once('connection', r));
        const port = await listen(d);
        reply(
          `227 Entering Passive Mode (127,0,0,1,${port >> 8},${port & 255}).`,
        );
      } else if (cmd === 'RETR') {
        if (arg !== 'dir/image.bin' || !data) {
          reply('550 not found');
          return;
        }
        reply('150 sending');
        const s = await data;
        s.end(fault === 'short' ? FILE.subarray(0, 1000) : FILE);
        await once(s, 'close');
        if (fault !== 'silent') reply('226 done');
      } else if (cmd === 'QUIT') {
        reply('221 bye');
        ctl.end();
      } else reply('502 no');
    });
    ctl.on('error', () => undefined);
  });
  return listen(srv);
}

const url = (port: number, path = 'dir/image.bin', pass = 'p'): URL =>
  new URL(`ftp://u:${pass}@${LOOP}:${port}/${path}`);

test('a whole file counts, and forty at once (past the greeting window) share the read buffer', async () => {
  const port = await ftpServer('none');
  assert.deepEqual(await ftpGet(url(port), FILE.length, 5_000), {
    ok: true,
    bytes: FILE.length,
  });
  const many = await Promise.all(
    Array.from({ length: 40 }, () => ftpGet(url(port), FILE.length, 5_000)),
  );
  assert.ok(many.every((r) => r.ok && r.bytes === FILE.length));
});

test('a short file, a refused login and a missing file are failures', async () => {
  const short = await ftpServer('short');
  assert.deepEqual(await ftpGet(url(short), FILE.length, 5_000), {
    ok: false,
    bytes: 1000,
  });
  const port = await ftpServer('none');
  const refused = await ftpGet(url(port, undefined, 'x'), FILE.length, 5_000);
  assert.equal(refused.ok, false);
  const missing = await ftpGet(url(port, 'nope.bin'), FILE.length, 5_000);
  assert.equal(missing.ok, false);
});

test('a server that never says 226 fails at the timeout', async () => {
  const port = await ftpServer('silent');
  const t0 = performance.now();
  const r = await ftpGet(url(port), FILE.length, 500);
  assert.equal(r.ok, false);
  assert.equal(r.bytes, FILE.length);
  assert.ok(performance.now() - t0 < 3_000);
});

test('load.ts runs a round of ftp:// downloads and reports it', async () => {
  const port = await ftpServer('none');
  const child = spawn(
    process.execPath,
    [join(import.meta.dirname, '../bench/http/load.ts')],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  );
  child.stdin.end(`${url(port)} 5 ${FILE.length}\n`);
  const [line] = await once(createInterface({ input: child.stdout }), 'line');
  const r = JSON.parse(line as string) as { failures: number; bytes: number };
  assert.equal(r.failures, 0);
  assert.equal(r.bytes, 5 * FILE.length);
  await once(child, 'exit');
});
