/**
 * The send-side conformance suite: the rules every download implementation must follow, run against the
 * JavaScript send machine in its socket shell (../download.test.ts, virtual time) and against the native C
 * engine over UDP in a network namespace (../native/engine.test.ts, real time). Each runner supplies a
 * SendHarness and names the cases it knowingly deviates from (hono's runTest({ newRouter, skip })).
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  encodeAck,
  encodeError,
  type TftpOption,
  type TftpPacket,
} from '../codec/packet.ts';
import type { TftpStats } from '../stats.ts';
import type { RetryPolicy } from './machine.ts';

export interface SendSpec {
  readonly blksize: number;
  readonly windowsize: number;
  readonly oack: readonly TftpOption[] | undefined;
  readonly retry: RetryPolicy;
  /** The transfer's lifetime (services.tftp.maxTransferSeconds). */
  readonly lifetimeMs: number;
  readonly file: Uint8Array;
}

/** The transfer's peer, or a stranger (another port on the peer's host). */
export type Party = 'peer' | 'stranger';
export interface Received {
  readonly packet: TftpPacket;
  readonly atMs: number;
}
export interface Outcome {
  readonly result: string;
  readonly message: string;
  readonly bytes: number;
}

export interface SendHarness {
  /** How much later than the policy a retransmission may come (0 on a virtual clock). */
  readonly lateMs: number;
  /** How much earlier (timer and clock granularity). */
  readonly earlyMs: number;
  /** Starts one download of spec.file to the peer. */
  start(spec: SendSpec): Promise<void>;
  /** `from` sends a datagram to the transfer's port; returns the time it was sent. */
  send(from: Party, bytes: Uint8Array): Promise<number>;
  /** The next `count` datagrams sent to `to`, waiting (for the peer: through retransmissions); fewer once the transfer ended. */
  receive(to: Party, count: number): Promise<Received[]>;
  /** Waits until the counters satisfy `until` (what was sent has been handled); then every datagram already sent to `to`. */
  settled(to: Party, until: (s: TftpStats) => boolean): Promise<Received[]>;
  /** The transfer's outcome (waits for it). */
  outcome(): Promise<Outcome>;
  stats(): Promise<TftpStats>;
  close(): Promise<void>;
}

export interface SendCaseOptions {
  readonly newHarness: () => Promise<SendHarness>;
  /** Known deviations: cases this implementation skips, with the reason. */
  readonly skip?: readonly {
    readonly reason: string;
    readonly cases: readonly string[];
  }[];
  /** Skip the whole suite (e.g. no root for a namespace). */
  readonly unavailable?: () => string | false;
}

/** The backoff case's policy: short, so giving up takes about two seconds. */
const RETRY: RetryPolicy = { initialMs: 200, maxMs: 800, maxRetries: 3 };
/** The other cases: long enough that a busy machine never sees a retransmission a case does not expect. */
const STEADY: RetryPolicy = { initialMs: 1000, maxMs: 1000, maxRetries: 3 };
/** Bulk transfers: a retransmission only when something is really lost. */
const PATIENT: RetryPolicy = { initialMs: 3000, maxMs: 3000, maxRetries: 3 };

/** A file of `full` blocks of `blksize` bytes then a last block of `tail` bytes; every byte says where it is. */
function fileOf(blksize: number, full: number, tail: number): Uint8Array {
  const f = new Uint8Array(blksize * full + tail);
  for (let i = 0; i < f.length; i++) f[i] = (i * 7 + (i >> 8)) & 0xff;
  return f;
}

const spec = (o: Partial<SendSpec> & { file: Uint8Array }): SendSpec => ({
  blksize: 8,
  windowsize: 1,
  oack: undefined,
  retry: STEADY,
  lifetimeMs: 600_000,
  ...o,
});

/** A long file of 8-byte blocks (`full` of them, then 3 bytes), sent `windowsize` blocks at a time. */
const bulk = (windowsize: number, full: number): SendSpec =>
  spec({ windowsize, retry: PATIENT, file: fileOf(8, full, 3) });

function dataOf(r: Received | undefined): { block: number; data: Uint8Array } {
  assert.ok(r, 'a datagram arrived');
  assert.equal(
    r.packet.op,
    'data',
    `DATA expected, got ${JSON.stringify(r.packet)}`,
  );
  return r.packet as { block: number; data: Uint8Array };
}

/** Blocks first..last (absolute numbers) arrive and carry the file's bytes; returns what arrived. */
async function expectBlocks(
  h: SendHarness,
  s: SendSpec,
  first: number,
  last: number,
): Promise<Received[]> {
  const got = await h.receive('peer', last - first + 1);
  assert.equal(got.length, last - first + 1, `blocks ${first}..${last}`);
  got.forEach((r, i) => {
    const d = dataOf(r);
    const abs = first + i;
    assert.equal(
      d.block,
      abs & 0xffff,
      `block ${abs} on the wire as ${abs & 0xffff}`,
    );
    assert.deepEqual(
      Buffer.from(d.data),
      Buffer.from(s.file.subarray((abs - 1) * s.blksize, abs * s.blksize)),
      `payload of block ${abs}`,
    );
  });
  return got;
}

/** The peer receives blocks first..last a window at a time, ACKing each window's last block. */
async function ackWindows(
  h: SendHarness,
  s: SendSpec,
  first: number,
  last: number,
): Promise<void> {
  for (let b = first; b <= last; b += s.windowsize) {
    const end = Math.min(b + s.windowsize - 1, last);
    await expectBlocks(h, s, b, end);
    await h.send('peer', encodeAck(end & 0xffff));
  }
}

/** The transfer ended well, having delivered the whole file. */
async function expectComplete(h: SendHarness, s: SendSpec): Promise<void> {
  assert.deepEqual(await h.outcome(), {
    result: 'ok',
    message: 'transfer complete',
    bytes: s.file.length,
  });
}

const within = (
  h: SendHarness,
  gap: number,
  want: number,
  what: string,
): void => {
  assert.ok(
    gap >= want - h.earlyMs && gap <= want + h.lateMs,
    `${what}: ${gap} ms, want ${want} ms`,
  );
};

type Case = (h: SendHarness) => Promise<void>;

export const SEND_CASES: Readonly<Record<string, Case>> = {
  async 'block numbers roll over past 65535'(h) {
    const s = bulk(64, 65536);
    await h.start(s);
    await ackWindows(h, s, 1, 65537);
    await expectComplete(h, s);
  },

  async 'duplicate ACKs are only counted'(h) {
    await h.start(spec({ file: fileOf(8, 2, 3) }));
    dataOf((await h.receive('peer', 1))[0]);
    await h.send('peer', encodeAck(1));
    const d2 = (await h.receive('peer', 1))[0]!;
    assert.equal(dataOf(d2).block, 2);
    await h.send('peer', encodeAck(1));
    await h.send('peer', encodeAck(1));
    assert.deepEqual(
      await h.settled('peer', (st) => st.duplicates >= 2),
      [],
      'no DATA answers a duplicate ACK',
    );
    const again = (await h.receive('peer', 1))[0]!;
    assert.equal(dataOf(again).block, 2, 'only the timer resends');
    within(
      h,
      again.atMs - d2.atMs,
      STEADY.initialMs,
      'resent after the retransmit interval',
    );
    const st = await h.stats();
    assert.equal(st.duplicates, 2);
    assert.equal(st.retransmits, 1);
  },

  async 'an ACK names the newest block in flight with its number'(h) {
    const s = bulk(16, 65559);
    await h.start(s);
    await ackWindows(h, s, 1, 65520);
    await expectBlocks(h, s, 65521, 65536);
    await h.send('peer', encodeAck(1)); // block 1 was ACKed long ago and 65537 is not sent yet
    assert.deepEqual(
      await h.settled('peer', (st) => st.duplicates >= 1),
      [],
      'ACK 1 before block 65537 is out: a duplicate',
    );
    await h.send('peer', encodeAck(0)); // block 65536
    await expectBlocks(h, s, 65537, 65552);
    await h.send('peer', encodeAck(1)); // now block 65537, in flight
    await ackWindows(h, s, 65538, 65560);
    await expectComplete(h, s);
  },

  async 'a gap ACK restarts the window after it'(h) {
    const s = spec({ windowsize: 4, file: fileOf(8, 9, 3) });
    await h.start(s);
    await expectBlocks(h, s, 1, 4);
    await h.send('peer', encodeAck(2)); // the peer lost block 3
    await expectBlocks(h, s, 3, 6);
    await h.send('peer', encodeAck(6));
    await expectBlocks(h, s, 7, 10);
    await h.send('peer', encodeAck(10));
    await expectComplete(h, s);
  },

  async 'windowsize > 1 sends a whole window, then waits for its ACK'(h) {
    const s = spec({ windowsize: 4, file: fileOf(8, 9, 3) });
    await h.start(s);
    const first = await expectBlocks(h, s, 1, 4);
    const resent = await expectBlocks(h, s, 1, 4); // nothing new before an ACK: the timer resends the window
    within(
      h,
      resent[0]!.atMs - first[3]!.atMs,
      STEADY.initialMs,
      'the window resent after the retransmit interval',
    );
    await h.send('peer', encodeAck(4));
    await ackWindows(h, s, 5, 10);
    await expectComplete(h, s);
  },

  async 'retransmits with exponential backoff, then gives up'(h) {
    await h.start(spec({ retry: RETRY, file: fileOf(8, 2, 3) }));
    const got = await h.receive('peer', 6);
    assert.deepEqual(
      got.map((r) =>
        r.packet.op === 'data'
          ? `D${r.packet.block}`
          : r.packet.op === 'error'
            ? `E${r.packet.code}`
            : r.packet.op,
      ),
      ['D1', 'D1', 'D1', 'D1', 'E0'],
    );
    // 200 ms doubling, capped at 800 ms: 200, 400, 800, then 800 before giving up
    for (const [i, want] of [200, 400, 800, 800].entries()) {
      within(h, got[i + 1]!.atMs - got[i]!.atMs, want, `gap ${i}`);
    }
    assert.deepEqual(await h.outcome(), {
      result: 'TFTP_TIMEOUT',
      message: 'peer stopped answering',
      bytes: 0,
    });
    assert.equal((await h.stats()).retransmits, 3);
  },

  async 'a peer ERROR ends the transfer silently'(h) {
    await h.start(spec({ file: fileOf(8, 2, 3) }));
    dataOf((await h.receive('peer', 1))[0]);
    await h.send('peer', encodeError(0, 'cancelled'));
    assert.deepEqual(await h.outcome(), {
      result: 'TFTP_PEER_ERROR',
      message: 'peer sent error 0: cancelled',
      bytes: 0,
    });
    assert.deepEqual(
      await h.receive('peer', 1),
      [],
      'no reply and no retransmission after a peer ERROR',
    );
  },

  async 'a peer ERROR is reported with its whole message'(h) {
    await h.start(spec({ file: fileOf(8, 2, 3) }));
    dataOf((await h.receive('peer', 1))[0]);
    const message = 'disk full on the phone: '.padEnd(200, '.');
    await h.send('peer', encodeError(3, message));
    assert.equal((await h.outcome()).message, `peer sent error 3: ${message}`);
  },

  async 'a stranger on the transfer port gets ERROR 5'(h) {
    const s = spec({ file: fileOf(8, 1, 3) });
    await h.start(s);
    await expectBlocks(h, s, 1, 1);
    await h.send('stranger', encodeAck(1));
    const [answer] = await h.receive('stranger', 1);
    assert.deepEqual(answer?.packet, {
      op: 'error',
      code: 5,
      message: 'unknown transfer ID',
    });
    await h.send('stranger', encodeError(0, 'ping'));
    assert.deepEqual(
      await h.settled('stranger', (st) => st.wrongTid >= 2),
      [],
      'an ERROR is never answered (no ping-pong)',
    );
    await h.send('peer', encodeAck(1)); // the transfer itself carries on
    await expectBlocks(h, s, 2, 2);
    await h.send('peer', encodeAck(2));
    assert.equal((await h.outcome()).result, 'ok');
    assert.equal((await h.stats()).wrongTid, 2);
  },

  async "a stranger's undecodable datagram is not answered"(h) {
    await h.start(spec({ file: fileOf(8, 1, 3) }));
    await h.receive('peer', 1);
    await h.send('stranger', Buffer.of(0, 1, 0x78, 0)); // an RRQ without its mode
    assert.deepEqual(
      await h.settled('stranger', (st) => st.wrongTid >= 1),
      [],
      'only a well-formed datagram is answered',
    );
  },

  async 'a transfer ends at its lifetime, however it progresses'(h) {
    const s = spec({ lifetimeMs: 600, file: fileOf(8, 3, 3) });
    await h.start(s);
    await expectBlocks(h, s, 1, 1);
    await h.send('peer', encodeAck(1));
    await expectBlocks(h, s, 2, 2);
    const [end] = await h.receive('peer', 1); // before the retransmission due 1000 ms after block 2
    assert.deepEqual(end?.packet, {
      op: 'error',
      code: 0,
      message: 'transfer took too long',
    });
    assert.deepEqual(await h.outcome(), {
      result: 'TFTP_LIFETIME',
      message: 'transfer took too long',
      bytes: 8,
    });
  },

  async 'OACK first, DATA only after ACK 0'(h) {
    const s = spec({
      oack: [{ name: 'blksize', value: '8' }],
      file: fileOf(8, 1, 3),
    });
    await h.start(s);
    const [oack] = await h.receive('peer', 1);
    assert.deepEqual(oack?.packet, {
      op: 'oack',
      options: [{ name: 'blksize', value: '8' }],
    });
    await h.send('peer', encodeAck(1));
    assert.deepEqual(
      await h.settled('peer', (st) => st.unexpected >= 1),
      [],
      'ACK 1 before ACK 0 is ignored',
    );
    await h.send('peer', encodeAck(0));
    await ackWindows(h, s, 1, 2);
    assert.equal((await h.outcome()).result, 'ok');
  },
};

/** Registers every case as a test against a fresh harness each. */
export function runSendCases(o: SendCaseOptions): void {
  const skipped = new Map<string, string>();
  for (const s of o.skip ?? [])
    for (const name of s.cases) {
      assert.ok(name in SEND_CASES, `skip names an unknown case: ${name}`);
      skipped.set(name, s.reason);
    }
  for (const [name, run] of Object.entries(SEND_CASES)) {
    test(name, async (t) => {
      const why = skipped.get(name) ?? o.unavailable?.();
      if (why) {
        t.skip(why);
        return;
      }
      const h = await o.newHarness();
      try {
        await run(h);
      } finally {
        await h.close();
      }
    });
  }
}
