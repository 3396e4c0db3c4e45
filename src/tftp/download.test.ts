/**
 * The send-side conformance suite (machine/send.case.test.ts) against the in-thread download: the send
 * machine in its socket shell (runDownload), on an in-memory socket and a hand-driven clock, so a
 * retransmission happens exactly when the policy says and no test waits for real time.
 */

import type { Socket } from 'node:dgram';
import { EventEmitter } from 'node:events';
import { chunkQueue } from './block-reader.ts';
import type { Clock } from './clock.ts';
import { decode } from './codec/packet.ts';
import { runDownload } from './download.ts';
import {
  type Outcome,
  type Party,
  type Received,
  runSendCases,
  type SendHarness,
} from './machine/send.case.test.ts';
import { manualClock } from './manual-clock.ts';
import { emptyStats } from './stats.ts';

const PORTS: Record<Party, number> = { peer: 4000, stranger: 4001 };
const HOST = '192.0.2.10';

/** The part of dgram.Socket the shell uses; what it sends is copied out at once (it reuses its buffers). */
class MemorySocket extends EventEmitter {
  readonly sent: Record<Party, Received[]> = { peer: [], stranger: [] };
  readonly #clock: Clock;
  constructor(clock: Clock) {
    super();
    this.#clock = clock;
  }
  send(buf: Uint8Array, ...rest: unknown[]): void {
    const [offset, length, port] =
      typeof rest[1] === 'number'
        ? (rest as [number, number, number])
        : [0, buf.length, rest[0] as number];
    const to: Party = port === PORTS.peer ? 'peer' : 'stranger';
    const p = decode(buf.subarray(offset, offset + length));
    if (!p.ok)
      throw new Error(
        `the shell sent an undecodable datagram: ${p.error.message}`,
      );
    this.sent[to].push({
      packet: structuredClone(p.value),
      atMs: this.#clock.now(),
    });
    const cb = rest.at(-1);
    if (typeof cb === 'function') cb();
  }
  close(): void {
    this.removeAllListeners();
  }
}

function jsHarness(): SendHarness {
  const clock = manualClock();
  const socket = new MemorySocket(clock);
  const stats = emptyStats();
  let outcome: Outcome | undefined;
  let closed = false;
  /** Lets virtual time run to the next retransmission; false when nothing is pending. */
  const tick = (): boolean => {
    const at = closed ? undefined : clock.nextDeadline();
    if (at === undefined) return false;
    clock.advanceTo(at);
    return true;
  };
  return {
    lateMs: 0,
    earlyMs: 0,
    async start(s) {
      const source = chunkQueue(s.blksize);
      source.push(s.file);
      source.end();
      runDownload(
        {
          socket: socket as unknown as Socket,
          peer: { address: HOST, port: PORTS.peer },
          clock,
          stats,
          lifetimeMs: s.lifetimeMs,
          source,
          finish: (result, message, bytes) => {
            outcome = { result, message, bytes };
          },
          closed: () => {
            closed = true;
          },
        },
        s,
      );
    },
    async send(from, bytes) {
      socket.emit('message', Buffer.from(bytes), {
        address: HOST,
        port: PORTS[from],
        family: 'IPv4',
        size: bytes.length,
      });
      return clock.now();
    },
    async receive(to, count) {
      const queue = socket.sent[to];
      // A stranger is answered at once; the peer may have to wait for the retransmit timer.
      while (queue.length < count && to === 'peer' && tick());
      return queue.splice(0, count);
    },
    async settled(to, until) {
      if (!until(stats))
        throw new Error(`counters never got there: ${JSON.stringify(stats)}`);
      return socket.sent[to].splice(0);
    },
    async outcome() {
      while (outcome === undefined && tick());
      return (
        outcome ?? {
          result: 'none',
          message: 'the transfer never ended',
          bytes: 0,
        }
      );
    },
    stats: async () => ({ ...stats }),
    async close() {
      if (!closed) socket.close();
    },
  };
}

// No known deviations: this is the reference the engine is held to.
runSendCases({ newHarness: async () => jsHarness(), skip: [] });
