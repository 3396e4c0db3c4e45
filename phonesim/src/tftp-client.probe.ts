/**
 * Scenarios for tftp-client.test.ts: phonesim's TFTP client against a scripted server in this process, both
 * on 127.0.0.1. Run only inside a network namespace (the test starts it there with lab.exec):
 *
 *   node phonesim/src/tftp-client.probe.ts SCENARIO        → one JSON line: what the client and the server saw
 */

import dgram from 'node:dgram';
import {
  decode,
  encode,
  encodeData,
  type TftpPacket,
} from '../../src/tftp/codec/packet.ts';
import type { BootLocation } from './boot-server.ts';
import { createTftpClient, type TftpOptions } from './tftp-client.ts';
import { checksum } from './transfer.ts';

type Got = { p: TftpPacket | undefined; raw: Buffer; port: number };

/** A UDP socket on 127.0.0.1 with a receive queue. */
async function open(): Promise<{
  sock: dgram.Socket;
  port: number;
  recv(ms: number): Promise<Got | undefined>;
  send(b: Buffer, port: number): Promise<void>;
  close(): void;
}> {
  const sock = dgram.createSocket('udp4');
  const queue: Got[] = [];
  const waiters: ((g: Got) => void)[] = [];
  sock.on('message', (raw, r) => {
    const d = decode(raw);
    const g = { p: d.ok ? d.value : undefined, raw, port: r.port };
    const w = waiters.shift();
    if (w) w(g);
    else queue.push(g);
  });
  await new Promise<void>((r) => sock.bind(0, '127.0.0.1', r));
  return {
    sock,
    port: sock.address().port,
    recv: (ms) => {
      const q = queue.shift();
      if (q) return Promise.resolve(q);
      return new Promise((resolve) => {
        const w = (g: Got): void => {
          clearTimeout(t);
          resolve(g);
        };
        const t = setTimeout(() => {
          waiters.splice(waiters.indexOf(w), 1);
          resolve(undefined);
        }, ms);
        waiters.push(w);
      });
    },
    send: (b, port) =>
      new Promise((r) => sock.send(b, port, '127.0.0.1', () => r())),
    close: () => sock.close(),
  };
}

const content = (size: number): Buffer => {
  const b = Buffer.alloc(size);
  for (let i = 0; i < size; i++) b[i] = (i * 131 + (i >> 8)) & 0xff;
  return b;
};
const loc = (port: number): BootLocation => ({
  protocol: 'tftp',
  host: '127.0.0.1',
  port,
  user: undefined,
  password: undefined,
  base: 'sites/hq',
  masterFile: undefined,
});
const ctx = {
  localAddress: undefined,
  userAgent: () => 'probe',
  timeoutMs: 5000,
};

interface ServeOptions {
  /** blksize the server's OACK grants (undefined: no OACK, 512-byte blocks). */
  readonly oack?: number;
  /** Blocks whose first ACK the server pretends it lost: it sends that DATA again after `resendMs`. */
  readonly loseAck?: readonly number[];
  /** Blocks whose first ACK the server drops without ever resending: the client's timer must act. */
  readonly swallowAck?: readonly number[];
  /** At this block a stranger (another port) sends the client a DATA; its answer is recorded. */
  readonly strangerAt?: number;
  /** Send a runt and an ACK with trailing bytes from the server's TID before DATA 1. */
  readonly garbage?: boolean;
  /** Answer the request with this ERROR instead. */
  readonly error?: { code: number; message: string };
  /** Stop answering after the OACK. */
  readonly mute?: boolean;
  /** How long the server waits for an ACK before it resends (default 300 ms). */
  readonly patienceMs?: number;
}

/** Serve one RRQ of `file` lock-step from a fresh TID; returns what the server saw. */
async function serveRead(
  listen: Awaited<ReturnType<typeof open>>,
  file: Buffer,
  o: ServeOptions,
) {
  const seen = {
    request: undefined as TftpPacket | undefined,
    acks: new Map<number, number>(),
    dataSent: 0,
    finalAck: false,
    stranger: undefined as TftpPacket | undefined,
    wrongAcks: 0,
  };
  const req = await listen.recv(3000);
  if (!req) return seen;
  seen.request = req.p;
  const t = await open();
  try {
    const client = req.port;
    if (o.error) {
      await t.send(encode({ op: 'error', ...o.error }), client);
      await new Promise((r) => setTimeout(r, 100));
      return seen;
    }
    const bs = o.oack ?? 512;
    const count = (n: number): void => {
      seen.acks.set(n, (seen.acks.get(n) ?? 0) + 1);
    };
    const lost = new Set(o.loseAck ?? []);
    const swallowed = new Set(o.swallowAck ?? []);
    /** Send pkt until the ACK of `n` arrives (resending every 300 ms); false if it never does. */
    const exchange = async (pkt: Buffer, n: number): Promise<boolean> => {
      await t.send(pkt, client);
      for (let tries = 0; tries < 20; ) {
        const g = await t.recv(swallowed.has(n) ? 5000 : (o.patienceMs ?? 300));
        if (!g) {
          if (o.mute) return false;
          tries++;
          seen.dataSent++;
          await t.send(pkt, client);
          continue;
        }
        if (g.p?.op !== 'ack') continue;
        count(g.p.block);
        if (g.p.block !== (n & 0xffff)) {
          seen.wrongAcks++;
          continue;
        }
        if (lost.delete(n)) {
          await new Promise((r) => setTimeout(r, 30));
          seen.dataSent++;
          await t.send(pkt, client);
          continue;
        }
        if (swallowed.delete(n)) continue;
        return true;
      }
      return false;
    };
    if (o.oack !== undefined) {
      if (
        !(await exchange(
          encode({
            op: 'oack',
            options: [
              { name: 'blksize', value: String(bs) },
              { name: 'tsize', value: String(file.length) },
            ],
          }),
          0,
        ))
      )
        return seen;
      if (o.mute) {
        for (let g; (g = await t.recv(400)); )
          if (g.p?.op === 'ack') count(g.p.block);
        return seen;
      }
    }
    if (o.garbage) {
      await t.send(Buffer.of(3), client);
      await t.send(Buffer.of(0, 4, 0, 1, 9), client);
    }
    for (let b = 1; ; b++) {
      const chunk = file.subarray((b - 1) * bs, Math.min(b * bs, file.length));
      if (o.strangerAt === b) {
        const s = await open();
        await s.send(encodeData(b & 0xffff, Buffer.from('junk')), client);
        seen.stranger = (await s.recv(1000))?.p;
        s.close();
      }
      seen.dataSent++;
      if (!(await exchange(encodeData(b & 0xffff, chunk), b))) return seen;
      if (chunk.length < bs) {
        seen.finalAck = true;
        return seen;
      }
    }
  } finally {
    t.close();
  }
}

/** Serve one WRQ lock-step; the first copy of DATA `dropData` is dropped (the client's timer resends it). */
async function serveWrite(
  listen: Awaited<ReturnType<typeof open>>,
  o: { oack: number; dropData: number },
) {
  const seen = {
    request: undefined as TftpPacket | undefined,
    received: Buffer.alloc(0),
    copies: new Map<number, number>(),
  };
  const req = await listen.recv(3000);
  if (!req) return seen;
  seen.request = req.p;
  const t = await open();
  const parts: Buffer[] = [];
  try {
    await t.send(
      encode({
        op: 'oack',
        options: [{ name: 'blksize', value: String(o.oack) }],
      }),
      req.port,
    );
    let dropped = false;
    for (let want = 1; ; ) {
      const g = await t.recv(3000);
      if (!g) return seen;
      if (g.p?.op !== 'data') continue;
      seen.copies.set(g.p.block, (seen.copies.get(g.p.block) ?? 0) + 1);
      if (g.p.block === want && want === o.dropData && !dropped) {
        dropped = true;
        continue;
      }
      if (g.p.block === (want & 0xffff)) {
        parts.push(Buffer.from(g.p.data));
        want++;
      }
      await t.send(encode({ op: 'ack', block: g.p.block }), req.port);
      if (g.p.block === ((want - 1) & 0xffff) && g.p.data.length < o.oack)
        break;
    }
    seen.received = Buffer.concat(parts);
    return seen;
  } finally {
    t.close();
  }
}

async function download(
  o: ServeOptions & { size: number; opts: TftpOptions; keep?: boolean },
) {
  const listen = await open();
  const file = content(o.size);
  const client = createTftpClient(loc(listen.port), ctx, o.opts);
  const [r, seen] = await Promise.all([
    client.get('a/file.ld', 'Application', o.keep ?? false),
    serveRead(listen, file, o),
  ]);
  listen.close();
  return {
    ok: r.ok,
    error: r.ok ? undefined : r.error,
    bytes: r.ok ? r.value.bytes : 0,
    intact: r.ok && r.value.crc32 === checksum(file),
    kept: r.ok ? r.value.data.length : 0,
    keptIntact: r.ok && r.value.data.equals(file),
    retries: client.retries(),
    request: seen.request,
    acks: Object.fromEntries(seen.acks),
    finalAck: seen.finalAck,
    stranger: seen.stranger,
    wrongAcks: seen.wrongAcks,
  };
}

const FAST: TftpOptions = {
  blksize: 1468,
  packetTimeoutMs: 150,
  maxRetries: 3,
};

const scenarios: Record<string, () => Promise<unknown>> = {
  /** OACK blksize 1468 and tsize, 100 blocks, keep the bytes. */
  basic: () =>
    download({ size: 1468 * 100 + 17, oack: 1468, opts: FAST, keep: true }),
  /** An exact multiple of blksize ends with an empty DATA. */
  exact: () => download({ size: 1468 * 3, oack: 1468, opts: FAST }),
  /** Plain RFC 1350: no options, 512-byte blocks. */
  plain: () => download({ size: 512 * 4 + 1, opts: { ...FAST, blksize: 0 } }),
  /** Blocks past 65535 (blksize 8 granted by the OACK): block numbers roll over to 0. */
  // 70,001 lock-step exchanges: both ends wait 5 s before resending, so a loaded machine's stall is not read
  // as a lost packet (the test counts every ACK).
  rollover: () =>
    download({
      size: 8 * 70_000 + 3,
      oack: 8,
      opts: { ...FAST, packetTimeoutMs: 5000 },
      patienceMs: 5000,
    }),
  /** The server loses our ACK 0 and ACK 5 and repeats itself: we repeat the ACKs, no retransmission of ours. */
  lostAck: () =>
    download({ size: 1468 * 10, oack: 1468, loseAck: [0, 5], opts: FAST }),
  /** The server drops our ACK 3 and waits: our timer resends it (one retry counted). */
  swallowedAck: () =>
    download({ size: 1468 * 10, oack: 1468, swallowAck: [3], opts: FAST }),
  /** A packet from another port mid-transfer gets ERROR 5; the transfer goes on. */
  stranger: () =>
    download({ size: 1468 * 10, oack: 1468, strangerAt: 4, opts: FAST }),
  /** A runt and an ACK with trailing bytes are dropped. */
  garbage: () =>
    download({ size: 1468 * 3, oack: 1468, garbage: true, opts: FAST }),
  /** The server goes silent after its OACK: ACK 0 is sent 1 + maxRetries times, then SIM_TIMEOUT. */
  silent: () =>
    download({ size: 1468 * 3, oack: 1468, mute: true, opts: FAST }),
  notFound: () =>
    download({
      size: 10,
      error: { code: 1, message: 'File not found' },
      opts: FAST,
    }),
  denied: () =>
    download({
      size: 10,
      error: { code: 2, message: 'Access violation' },
      opts: FAST,
    }),
  other: () =>
    download({
      size: 10,
      error: { code: 4, message: 'Illegal operation' },
      opts: FAST,
    }),
  /** Nobody listens: the RRQ is sent 1 + maxRetries times, then SIM_TIMEOUT. */
  noServer: async () => {
    const listen = await open();
    const client = createTftpClient(loc(listen.port), ctx, {
      ...FAST,
      packetTimeoutMs: 50,
    });
    const r = await client.get('x', 'Application');
    let requests = 0;
    while (await listen.recv(50)) requests++;
    listen.close();
    return {
      ok: r.ok,
      error: r.ok ? undefined : r.error,
      retries: client.retries(),
      requests,
    };
  },
  /** WRQ with tsize; the server drops the first copy of DATA 2: our timer resends it. */
  upload: async () => {
    const listen = await open();
    const data = content(1000 * 5 + 7);
    const client = createTftpClient(loc(listen.port), ctx, {
      ...FAST,
      blksize: 1000,
    });
    const [r, seen] = await Promise.all([
      client.put('up/log.txt', data, 'Application'),
      serveWrite(listen, { oack: 1000, dropData: 2 }),
    ]);
    listen.close();
    return {
      ok: r.ok,
      error: r.ok ? undefined : r.error,
      retries: client.retries(),
      request: seen.request,
      intact: seen.received.equals(data),
      copies: Object.fromEntries(seen.copies),
    };
  },
};

const name = process.argv[2] ?? '';
const run = scenarios[name];
if (!run) {
  console.error(`scenarios: ${Object.keys(scenarios).join(' ')}`);
  process.exit(2);
}
const out = JSON.stringify(await run());
process.stdout.write(`${out}\n`, () => process.exit(0));
