/**
 * One download by the native TFTP engine (src/tftp/native/engine.ts) to a scripted peer, both in this
 * process, run by the engine's conformance runner inside a lab namespace (it binds 127.0.0.1 there, never in
 * the machine's own namespace). Driven over stdin/stdout, one JSON line each way per command:
 *   start {spec}                the file goes to a temporary file the engine preads, as an image on disk
 *   send {from, hex}            the peer or a stranger (another socket) sends to the transfer's port
 *   receive {to, count}         the next `count` datagrams to that socket (fewer once the transfer ended)
 *   drain {to}                  every datagram already sent to that socket
 *   stats | outcome | close
 * "Already sent" is exact: a socket sends itself a marker, and what arrived before the marker is all there
 * is (the engine's sends are queued before it reports, loopback keeps the order).
 */
import { createSocket, type Socket } from 'node:dgram';
import { createReadStream, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { TransferConfig } from '../../src/tftp/machine/machine.ts';
import {
  createNativeDownloads,
  loadEngineAddon,
  type NativeDownloads,
} from '../../src/tftp/native/engine.ts';
import { emptyStats } from '../../src/tftp/stats.ts';

export type Party = 'peer' | 'stranger';
export interface WireDatagram {
  readonly hex: string;
  readonly atMs: number;
}
export interface EngineOutcome {
  readonly result: string;
  readonly message: string;
  readonly bytes: number;
}
export type PeerCommand =
  | {
      readonly cmd: 'start';
      readonly spec: TransferConfig & {
        readonly fileHex: string;
        readonly lifetimeMs: number;
      };
    }
  | { readonly cmd: 'send'; readonly from: Party; readonly hex: string }
  | { readonly cmd: 'receive'; readonly to: Party; readonly count: number }
  | { readonly cmd: 'drain'; readonly to: Party }
  | { readonly cmd: 'stats' | 'outcome' | 'close' };

const HOST = '127.0.0.1';
const MARKER = Buffer.from('marker: not a TFTP packet');
/** No command waits longer than this for a datagram the transfer may still send. */
const DEADLINE_MS = 15_000;

interface Inbox {
  readonly socket: Socket;
  readonly queue: WireDatagram[];
  marked: (() => void) | undefined;
}

async function openInbox(onDatagram: (port: number) => void): Promise<Inbox> {
  const socket = createSocket('udp4');
  const box: Inbox = { socket, queue: [], marked: undefined };
  await new Promise<void>((resolve) => socket.bind(0, HOST, resolve));
  const own = socket.address().port;
  socket.on('message', (msg, rinfo) => {
    if (rinfo.port === own && msg.equals(MARKER)) {
      box.marked?.();
      return;
    }
    box.queue.push({ hex: msg.toString('hex'), atMs: performance.now() });
    onDatagram(rinfo.port);
  });
  return box;
}

async function main(): Promise<void> {
  const addon = loadEngineAddon();
  if (!addon.ok) throw new Error(`native engine: ${addon.error}`);
  const stats = emptyStats();
  const engine: NativeDownloads = createNativeDownloads(addon.value, stats, 1);
  const dir = mkdtempSync(join(tmpdir(), 'tftp-engine-peer-'));
  let tid: number | undefined;
  let outcome: EngineOutcome | undefined;
  let poke: (() => void) | undefined;
  const changed = (): void => {
    const p = poke;
    poke = undefined;
    p?.();
  };
  const boxes: Record<Party, Inbox> = {
    peer: await openInbox((port) => {
      tid ??= port;
      changed();
    }),
    stranger: await openInbox(changed),
  };
  /** Resolves on the next datagram or outcome, or at the deadline. */
  const next = (until: number): Promise<void> =>
    new Promise((resolve) => {
      const timer = setTimeout(resolve, Math.max(0, until - performance.now()));
      poke = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  const mark = (box: Inbox): Promise<void> =>
    new Promise((resolve) => {
      box.marked = resolve;
      box.socket.send(MARKER, box.socket.address().port, HOST);
    });
  const drain = async (box: Inbox): Promise<WireDatagram[]> => {
    await mark(box);
    return box.queue.splice(0);
  };

  async function run(c: PeerCommand): Promise<unknown> {
    switch (c.cmd) {
      case 'start': {
        const { fileHex, lifetimeMs, ...spec } = c.spec;
        const file = join(dir, 'image.bin');
        writeFileSync(file, Buffer.from(fileHex, 'hex'));
        engine.start({
          peer: { address: HOST, port: boxes.peer.socket.address().port },
          bindAddress: HOST,
          stream: createReadStream(file),
          spec,
          lifetimeMs,
          finish: (result, message, bytes) => {
            outcome = { result, message, bytes };
            changed();
          },
          closed: () => {},
        });
        return null;
      }
      case 'send': {
        if (tid === undefined)
          throw new Error(
            'the transfer has not sent anything yet: its port is unknown',
          );
        const at = performance.now();
        await new Promise((resolve) =>
          boxes[c.from].socket.send(
            Buffer.from(c.hex, 'hex'),
            tid,
            HOST,
            resolve,
          ),
        );
        return at;
      }
      case 'receive': {
        const box = boxes[c.to];
        const until = performance.now() + DEADLINE_MS;
        while (box.queue.length < c.count && performance.now() < until) {
          if (outcome) {
            await mark(box);
            break;
          }
          await next(until);
        }
        return box.queue.splice(0, c.count);
      }
      case 'drain':
        return drain(boxes[c.to]);
      case 'stats':
        engine.syncStats();
        return { ...stats };
      case 'outcome': {
        const until = performance.now() + DEADLINE_MS;
        while (!outcome && performance.now() < until) await next(until);
        return (
          outcome ?? {
            result: 'none',
            message: 'the transfer never ended',
            bytes: 0,
          }
        );
      }
      case 'close':
        engine.close();
        for (const b of Object.values(boxes)) b.socket.close();
        rmSync(dir, { recursive: true, force: true });
        return null;
    }
  }

  // Commands run one at a time, in order.
  let chain = Promise.resolve();
  for await (const line of createInterface({ input: process.stdin })) {
    const { id, ...c } = JSON.parse(line) as PeerCommand & { id: number };
    chain = chain.then(async () => {
      const reply = await run(c as PeerCommand).then(
        (value) => ({ id, value }),
        (e: unknown) => ({ id, error: String(e) }),
      );
      process.stdout.write(`${JSON.stringify(reply)}\n`);
      if (c.cmd === 'close') process.exit(0);
    });
  }
}

if (import.meta.main) await main();
