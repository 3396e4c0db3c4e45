/**
 * SendfileStream as ftp-srv's RETR uses it (a 'data' listener, then 'end' or 'error') on a loopback data
 * connection: the file arrives byte-exact with no chunk through JavaScript, from a REST offset too; a file
 * sendfile cannot send (a FIFO) passes its chunks through; a data connection that goes away is an error, and
 * one Node closes stops the send.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { loadSendfile } from '../shared/sendfile.ts';
import { SendfileStream } from './sendfile-stream.ts';

const SIZE = 6 * 1024 * 1024 + 17;
const data = Buffer.alloc(SIZE);
for (let i = 0; i < SIZE; i++) data[i] = (i * 13 + (i >> 9)) & 0xff;
let dir = '';
let file = '';
const sendfile = loadSendfile();

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ftp-sendfile-'));
  file = join(dir, 'image.ld');
  await writeFile(file, data);
});
after(() => rm(dir, { recursive: true, force: true }));

/** A data connection: the server's end (where RETR writes) and what the client end receives. */
async function connection(): Promise<{
  server: net.Socket;
  client: net.Socket;
  received: Promise<Buffer>;
  close(): void;
}> {
  const listener = net.createServer();
  await new Promise<void>((r) => listener.listen(0, '127.0.0.1', r));
  const port = (listener.address() as net.AddressInfo).port;
  const accepted = new Promise<net.Socket>((r) =>
    listener.once('connection', r),
  );
  const client = net.connect(port, '127.0.0.1');
  const server = await accepted;
  const received = new Promise<Buffer>((resolve) => {
    const got: Buffer[] = [];
    client.on('data', (c) => got.push(c));
    client.on('error', () => undefined);
    client.on('close', () => resolve(Buffer.concat(got)));
  });
  return {
    server,
    client,
    received,
    close: () => listener.close(),
  };
}

/** What ftp-srv's RETR does with the stream: every chunk written to the data socket; resolves on end or error. */
function retr(
  stream: SendfileStream,
  socket: net.Socket,
): Promise<Error | undefined> {
  return new Promise((resolve) => {
    stream.on('data', (c: Buffer) => {
      stream.pause();
      socket.write(c, () => stream.resume());
    });
    stream.once('end', () => resolve(undefined));
    stream.once('error', (e) => resolve(e));
    socket.once('error', (e) => stream.destroy(e));
  });
}

test('a RETR and a RETR after REST arrive byte-exact, sent by sendfile', async () => {
  assert.ok(sendfile.ok, sendfile.ok ? '' : sendfile.error);
  for (const start of [0, 1_000_003]) {
    const c = await connection();
    const count0: number = sendfile.value.started;
    const s: SendfileStream = new SendfileStream(
      sendfile.value,
      createReadStream(file, { start }),
      c.server,
      start,
      SIZE - start,
    );
    assert.equal(await retr(s, c.server), undefined);
    assert.equal(s.sent(), SIZE - start);
    assert.equal(sendfile.value.started - count0, 1);
    c.server.end();
    assert.ok((await c.received).equals(data.subarray(start)));
    c.close();
  }
});

test('a file sendfile cannot send (a FIFO) passes its chunks through', async () => {
  assert.ok(sendfile.ok);
  const fifo = join(dir, 'fifo.ld');
  execFileSync('mkfifo', [fifo]);
  const body = data.subarray(0, 200_000);
  const c = await connection();
  const writer = writeFile(fifo, body);
  const s = new SendfileStream(
    sendfile.value,
    createReadStream(fifo),
    c.server,
    0,
    body.length,
  );
  assert.equal(await retr(s, c.server), undefined);
  await writer;
  c.server.end();
  assert.ok((await c.received).equals(body));
  c.close();
});

/** The whole image RETRed to a client that reads nothing. */
async function stalledRetr() {
  assert.ok(sendfile.ok);
  const c = await connection();
  c.client.pause();
  const s = new SendfileStream(
    sendfile.value,
    createReadStream(file),
    c.server,
    0,
    SIZE,
  );
  return { c, s, outcome: retr(s, c.server) };
}

test('a data connection that goes away ends the stream with an error', async () => {
  // The client reads nothing: the send fills the buffers and waits for room, then the client resets.
  const { c, s, outcome } = await stalledRetr();
  setImmediate(() => c.client.resetAndDestroy());
  const e = await outcome;
  assert.ok(e instanceof Error, 'an error');
  assert.ok(s.sent() < SIZE);
  c.close();
});

test('Node closing the data socket stops the send: the peer does not get the rest', async () => {
  const { c, s, outcome } = await stalledRetr();
  const deadline = Date.now() + 10_000;
  while (s.sent() === 0) {
    if (Date.now() > deadline) throw new Error('nothing sent');
    await new Promise((r) => setTimeout(r, 5));
  }
  c.server.destroy();
  assert.ok((await outcome) instanceof Error, 'an error');
  c.client.resume();
  const got = await c.received;
  assert.ok(got.length < SIZE, `the peer got ${got.length} of ${SIZE} bytes`);
  assert.ok(got.equals(data.subarray(0, got.length)));
  c.close();
});
