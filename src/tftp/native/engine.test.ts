/**
 * The send-side conformance suite (machine/send.case.test.ts) against the native C engine: real UDP and
 * real time, so each case runs one engine download to a scripted peer (test/lib/tftp-engine-peer.ts) in a
 * network namespace this test creates and always deletes. Gaps are measured where the peer handles each
 * datagram, so a busy machine shifts them both ways (a late first datagram shortens the next gap); the
 * margins still tell a doubling from a constant interval and a capped backoff from an uncapped one.
 */

import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { after, before } from 'node:test';
import { createLab, type Lab } from '../../../test/lib/netns.ts';
import { labSkip, REPO } from '../../../test/lib/service-lab.ts';
import type {
  EngineOutcome,
  PeerCommand,
  WireDatagram,
} from '../../../test/lib/tftp-engine-peer.ts';
import { decode } from '../codec/packet.ts';
import {
  type Received,
  runSendCases,
  type SendHarness,
} from '../machine/send.case.test.ts';
import type { TftpStats } from '../stats.ts';
import { loadEngineAddon } from './engine.ts';

let lab: Lab | undefined;
let skip: string | false = false;
before(async () => {
  skip = await labSkip('TFTP engine', ['ip']);
  if (skip) return;
  const addon = loadEngineAddon(); // compiled here once, not by each peer process
  if (!addon.ok) throw new Error(`native engine: ${addon.error}`);
  lab = await createLab({
    prefix: 'tfeng',
    hosts: ['peer'],
    subnet: '10.91.25',
  });
});
after(async () => {
  await lab?.destroy();
});

/** How long the harness waits for counters to show that the engine handled what was sent. */
const SETTLE_MS = 5000;

async function engineHarness(): Promise<SendHarness> {
  if (!lab) throw new Error('lab not started');
  const child = lab.spawn('peer', [
    process.execPath,
    join(REPO, 'test/lib/tftp-engine-peer.ts'),
  ]);
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const pending = new Map<
    number,
    { resolve: (v: unknown) => void; reject: (e: Error) => void }
  >();
  createInterface({ input: child.stdout! }).on('line', (line) => {
    const r = JSON.parse(line) as {
      id: number;
      value?: unknown;
      error?: string;
    };
    const p = pending.get(r.id);
    pending.delete(r.id);
    if (r.error !== undefined) p?.reject(new Error(r.error));
    else p?.resolve(r.value);
  });
  child.on('exit', (code) => {
    for (const p of pending.values())
      p.reject(new Error(`engine peer exited ${code}: ${stderr.slice(-2000)}`));
    pending.clear();
  });
  let nextId = 1;
  const call = <T>(c: PeerCommand): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const id = nextId++;
      pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      child.stdin!.write(`${JSON.stringify({ id, ...c })}\n`);
    });
  const received = (ds: WireDatagram[]): Received[] =>
    ds.map((d) => {
      const p = decode(Buffer.from(d.hex, 'hex'));
      if (!p.ok)
        throw new Error(
          `the engine sent an undecodable datagram ${d.hex}: ${p.error.message}`,
        );
      return { packet: p.value, atMs: d.atMs };
    });
  const stats = (): Promise<TftpStats> => call<TftpStats>({ cmd: 'stats' });
  return {
    lateMs: 300,
    earlyMs: 40,
    async start(s) {
      const { file, ...spec } = s;
      await call({
        cmd: 'start',
        spec: { ...spec, fileHex: Buffer.from(file).toString('hex') },
      });
    },
    send: (from, bytes) =>
      call<number>({
        cmd: 'send',
        from,
        hex: Buffer.from(bytes).toString('hex'),
      }),
    receive: async (to, count) =>
      received(await call<WireDatagram[]>({ cmd: 'receive', to, count })),
    async settled(to, until) {
      const deadline = performance.now() + SETTLE_MS;
      for (let st = await stats(); !until(st); st = await stats()) {
        if (performance.now() > deadline)
          throw new Error(`counters never got there: ${JSON.stringify(st)}`);
      }
      return received(await call<WireDatagram[]>({ cmd: 'drain', to }));
    },
    outcome: () => call<EngineOutcome>({ cmd: 'outcome' }),
    stats,
    async close() {
      if (child.exitCode === null)
        await call({ cmd: 'close' }).catch(() => undefined);
    },
  };
}

runSendCases({
  newHarness: engineHarness,
  unavailable: () => skip,
  skip: [
    {
      reason: "the engine keeps the first 150 bytes of a peer's ERROR message",
      cases: ['a peer ERROR is reported with its whole message'],
    },
    {
      reason:
        "the engine checks a stranger's datagram by opcode and length only (an RRQ without its mode gets ERROR 5)",
      cases: ["a stranger's undecodable datagram is not answered"],
    },
  ],
});
