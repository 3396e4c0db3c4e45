/**
 * The TFTP benchmark's native load generator (bench/tftp/loadgen.ts) against a small TFTP server in this
 * process on loopback: it completes lock-step and windowsize-16 downloads (also of a file that ends on a block
 * boundary, and from a server that ignores windowsize), and a server that corrupts one byte, truncates the file,
 * answers ERROR or goes silent fails the round with the matching code, in both content checks (SHA-256, or every
 * block compared with the reference file); the command exits 1 on a wrong server.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { type GenOptions, runDownloads } from '../bench/tftp/loadgen.ts';
import { tempFile } from './lib/temp-file.ts';

type Fault = 'none' | 'corrupt' | 'truncate' | 'error' | 'silent';

interface FakeServer {
  readonly port: number;
  /** Largest windowsize any transfer ran with. */
  maxWindow: number;
  close(): void;
}

const LOOP = '127.0.0.1';

/** An RRQ-only server of `file`: OACKs blksize (and windowsize unless `windowed` is false), one TID per transfer. */
async function fakeServer(
  file: Buffer,
  fault: Fault,
  windowed = true,
): Promise<FakeServer> {
  const sockets = new Set<Socket>();
  const bound = (s: Socket): Promise<void> =>
    new Promise((r) => s.bind(0, LOOP, () => r()));
  const listen = createSocket('udp4');
  sockets.add(listen);
  const me: FakeServer = {
    port: 0,
    maxWindow: 0,
    close: () => {
      for (const s of sockets) s.close();
    },
  };
  listen.on('message', async (msg, peer) => {
    const parts = msg.subarray(2).toString('latin1').split('\0');
    const opt = new Map<string, string>();
    for (let i = 2; i + 1 < parts.length; i += 2)
      opt.set(parts[i]!.toLowerCase(), parts[i + 1]!);
    const s = createSocket('udp4');
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    await bound(s);
    const send = (b: Buffer): void => s.send(b, peer.port, peer.address);
    if (fault === 'silent') return;
    if (fault === 'error') {
      send(Buffer.from('\0\x05\0\x01File not found\0', 'latin1'));
      return;
    }
    const blksize = Math.min(Number(opt.get('blksize') ?? 512), 1468);
    const window = windowed ? Number(opt.get('windowsize') ?? 1) : 1;
    me.maxWindow = Math.max(me.maxWindow, window);
    const served =
      fault === 'truncate' ? file.subarray(0, file.length - 100) : file;
    const blocks = Math.floor(served.length / blksize) + 1;
    const block = (n: number): Buffer => {
      const data = Buffer.from(served.subarray((n - 1) * blksize, n * blksize));
      if (fault === 'corrupt' && n === 3) data[17]! ^= 0x01;
      const h = Buffer.from([0, 3, (n >> 8) & 0xff, n & 0xff]);
      return Buffer.concat([h, data]);
    };
    const oack = `\0\x06blksize\0${blksize}\0${windowed && opt.has('windowsize') ? `windowsize\0${window}\0` : ''}`;
    send(Buffer.from(oack, 'latin1'));
    s.on('message', (ack) => {
      if (ack.readUInt16BE(0) !== 4) return;
      const acked = ack.readUInt16BE(2); // files here stay below 65536 blocks
      if (acked >= blocks) return s.close();
      for (let n = acked + 1; n <= Math.min(acked + window, blocks); n++)
        send(block(n));
    });
  });
  await bound(listen);
  (me as { port: number }).port = listen.address().port;
  return me;
}

/** A deterministic file: 300 full blocks of 1468 and a part (or none with `whole`); also on disk for the command. */
const byte = (i: number): number => i * 131 + (i >> 9);
const onDisk = tempFile('tftp-loadgen-', 1468 * 300 + 777, byte);
const fileOf = (whole = false): Buffer =>
  whole ? onDisk.data.subarray(0, 1468 * 300) : onDisk.data;
const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

const servers: FakeServer[] = [];
after(() => {
  for (const s of servers) s.close();
});

async function round(
  fault: Fault,
  windowsize: number,
  o: {
    whole?: boolean;
    windowed?: boolean;
    timeoutMs?: number;
    compare?: boolean;
  } = {},
): Promise<{ r: Awaited<ReturnType<typeof runDownloads>>; s: FakeServer }> {
  const file = fileOf(o.whole);
  const s = await fakeServer(file, fault, o.windowed ?? true);
  servers.push(s);
  const opts: GenOptions = {
    server: LOOP,
    port: s.port,
    filename: 'image.bin',
    count: 8,
    blksize: 1468,
    windowsize,
    expect: { size: file.length, sha256: sha(file) },
    timeoutMs: o.timeoutMs ?? 1000,
    maxRetries: 2,
    reference: o.compare ? file : undefined,
  };
  return { r: await runDownloads(opts), s };
}

test('lock-step: every download delivers the file; one recvmmsg and one ACK per block', async () => {
  const { r } = await round('none', 1);
  assert.equal(r.failed, 0, r.examples.join('; '));
  assert.equal(r.ok, 8);
  assert.equal(r.retries, 0);
  // 301 DATA + 1 OACK per transfer, each answered by one ACK; plus the RRQ
  assert.equal(r.recvPackets, 8 * 302);
  assert.equal(r.sendCalls, 8 * 303);
});

test('windowsize 16: the OACK sets the window, one ACK per 16 blocks', async () => {
  const { r, s } = await round('none', 16);
  assert.equal(r.failed, 0, r.examples.join('; '));
  assert.equal(s.maxWindow, 16);
  // RRQ, ACK 0, one ACK per full window of 16 (300 / 16 = 18), the final ACK
  assert.equal(r.sendCalls, 8 * (1 + 1 + 18 + 1));
});

test('a file ending on a block boundary ends with an empty block', async () => {
  const { r } = await round('none', 16, { whole: true });
  assert.equal(r.failed, 0, r.examples.join('; '));
});

test('a server that ignores windowsize gets lock-step', async () => {
  const { r, s } = await round('none', 16, { windowed: false });
  assert.equal(r.failed, 0, r.examples.join('; '));
  assert.equal(s.maxWindow, 1);
  assert.equal(r.sendCalls, 8 * 303);
});

for (const ws of [1, 16]) {
  test(`windowsize ${ws}: one corrupted byte fails every download (GEN_HASH)`, async () => {
    const { r } = await round('corrupt', ws);
    assert.equal(r.ok, 0);
    assert.deepEqual(r.failures, { GEN_HASH: 8 });
  });

  test(`windowsize ${ws}: a truncated file fails every download (GEN_LENGTH)`, async () => {
    const { r } = await round('truncate', ws);
    assert.deepEqual(r.failures, { GEN_LENGTH: 8 });
  });
}

test('compared with the reference: a corrupted byte ends the downloads (GEN_CONTENT), a right file passes', async () => {
  for (const ws of [1, 16]) {
    assert.equal((await round('none', ws, { compare: true })).r.failed, 0);
    assert.deepEqual(
      (await round('corrupt', ws, { compare: true })).r.failures,
      {
        GEN_CONTENT: 8,
      },
    );
    assert.deepEqual(
      (await round('truncate', ws, { compare: true })).r.failures,
      {
        GEN_LENGTH: 8,
      },
    );
  }
  const file = fileOf();
  await assert.rejects(
    runDownloads({
      server: LOOP,
      port: 9,
      filename: 'x',
      count: 1,
      blksize: 1468,
      windowsize: 1,
      expect: { size: file.length, sha256: sha(file) },
      reference: Buffer.concat([file.subarray(1), Buffer.from([0])]),
    }),
    /not the expected one/,
  );
});

test('an ERROR answer and a silent server fail the round', async () => {
  assert.deepEqual((await round('error', 1)).r.failures, {
    GEN_SERVER_ERROR: 8,
  });
  const silent = await round('silent', 1, { timeoutMs: 50 });
  assert.deepEqual(silent.r.failures, { GEN_TIMEOUT: 8 });
  assert.equal(silent.r.retries, 8 * 2);
});

test('the command exits 1 when the server corrupts a byte, 0 when it is right', async () => {
  const file = fileOf();
  const exitOf = async (fault: Fault, compare: boolean): Promise<number> => {
    const s = await fakeServer(file, fault);
    servers.push(s);
    const cli = join(import.meta.dirname, '../bench/tftp/loadgen-cli.ts');
    const c = spawn(process.execPath, [
      cli,
      LOOP,
      String(s.port),
      'image.bin',
      '--count',
      '4',
      '--windowsize',
      '16',
      '--size',
      String(file.length),
      '--sha256',
      sha(file),
      ...(compare ? ['--reference', onDisk.path()] : []),
    ]);
    c.stdout.resume();
    c.stderr.resume();
    return new Promise((r) => c.on('exit', (code) => r(code ?? -1)));
  };
  for (const compare of [false, true]) {
    assert.equal(await exitOf('none', compare), 0);
    assert.equal(await exitOf('corrupt', compare), 1);
  }
});
