/**
 * The fuzzer's seed corpus: scripts in harness.c's input format that replay what the TFTP tests send the
 * engine (the conformance cases of src/tftp/machine/send.case.test.ts, the garbage of
 * test/tftp-robustness.test.ts), the packets encoded by the service's own codec.
 *
 *   node bench/tftp-fuzz/seeds.ts DIR      writes one file per seed into DIR
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodeAck, encodeError } from '../../src/tftp/codec/packet.ts';

/** harness.c's BLKSIZES index of a block size. */
const BLK = { 8: 0, 512: 4, 1468: 7 } as const;

interface Transfer {
  readonly oack?: boolean;
  readonly disk?: boolean;
  readonly blksize: keyof typeof BLK;
  readonly windowsize: number;
  readonly size: number;
  readonly retry?: readonly [
    initialMs: number,
    maxMs8: number,
    retries: number,
  ];
  readonly lifetime16ms?: number;
  /** Start at this block, as if the earlier ones had been ACKed (the harness's shortcut to big files). */
  readonly resumeAt?: number;
}

const u16 = (n: number): number[] => [(n >> 8) & 0xff, n & 0xff];

/** start_transfer's bytes (no span). */
function transfer(t: Transfer): number[] {
  const bits = Math.min(20, Math.ceil(Math.log2(t.size + 1)));
  const [init, max, retries] = t.retry ?? [200, 100, 3];
  const skip =
    t.resumeAt === undefined
      ? []
      : [...u16((t.resumeAt - 1) >> 4), (t.resumeAt - 1) & 15];
  return [
    (t.oack ? 1 : 0) | (t.disk ? 2 : 0) | (t.resumeAt === undefined ? 0 : 8),
    BLK[t.blksize],
    t.windowsize - 1,
    bits,
    ...u16(t.size >>> 16),
    ...u16(t.size & 0xffff),
    init - 1,
    max,
    retries,
    ...u16(t.lifetime16ms ?? 0xffff),
    ...skip,
  ];
}

/** One step of harness.c's script, on transfer `slot`. */
const step = {
  peer: (b: Uint8Array, slot = 0): number[] => [0, slot, ...datagram(b)],
  stranger: (b: Uint8Array, slot = 0): number[] => [1, slot, ...datagram(b)],
  /** ACK of the block `k` after the oldest unacknowledged one minus one (0: a duplicate of the last ACK). */
  ackNear: (k: number, slot = 0): number[] => [2, slot, k],
  ack0: (slot = 0): number[] => [3, slot],
  ackWindows: (times: number, slot = 0): number[] => [4, slot, times],
  wait16ms: (n: number, slot = 0): number[] => [6, slot, n],
  waitLong: (n64ms: number, slot = 0): number[] => [7, slot, ...u16(n64ms)],
  shutdown: (slot = 0): number[] => [8, slot],
  another: (t: Transfer): number[] => [9, 0, ...transfer(t)],
  close: (): number[] => [10, 0],
};

function datagram(b: Uint8Array): number[] {
  return b.length < 255 ? [b.length, ...b] : [255, ...u16(b.length), ...b];
}

const small: Transfer = { blksize: 8, windowsize: 1, size: 19 };
const SEEDS: Record<string, number[]> = {
  'lock-step': [
    ...transfer(small),
    ...step.ackNear(1),
    ...step.ackNear(1),
    ...step.ackNear(1),
  ],
  'duplicate-acks': [
    ...transfer(small),
    ...step.ackNear(1),
    ...step.ackNear(0),
    ...step.ackNear(0),
    ...step.wait16ms(80),
  ],
  'oack-then-window': [
    ...transfer({
      oack: true,
      disk: true,
      blksize: 512,
      windowsize: 4,
      size: 3000,
    }),
    ...step.peer(encodeAck(1)),
    ...step.ack0(),
    ...step.ackWindows(4),
  ],
  'gap-ack': [
    ...transfer({ blksize: 8, windowsize: 4, size: 75 }),
    ...step.ackNear(2),
    ...step.ackWindows(3),
  ],
  'garbage-and-strangers': [
    ...transfer({ disk: true, blksize: 512, windowsize: 1, size: 3000 }),
    ...step.peer(Uint8Array.of(1)),
    ...step.peer(Uint8Array.of(0)),
    ...step.peer(Uint8Array.of(0, 9, 1, 2, 3)),
    ...step.peer(Uint8Array.of(0, 4, 0, 1, 0)),
    ...step.stranger(encodeAck(1)),
    ...step.stranger(encodeError(0, 'ping')),
    ...step.stranger(Uint8Array.of(0, 1, 0x78, 0)),
    ...step.ackWindows(8),
  ],
  'peer-error': [
    ...transfer(small),
    ...step.peer(encodeError(0, 'cancelled')),
    ...step.peer(encodeError(3, 'disk full on the phone: '.padEnd(200, '.'))),
  ],
  'backoff-gives-up': [
    ...transfer({ ...small, retry: [200, 100, 3] }),
    ...step.wait16ms(13),
    ...step.wait16ms(26),
    ...step.wait16ms(51),
    ...step.wait16ms(51),
    ...step.wait16ms(51),
  ],
  lifetime: [
    ...transfer({ ...small, lifetime16ms: 38 }),
    ...step.ackNear(1),
    ...step.waitLong(10),
  ],
  rollover: [
    ...transfer({
      disk: true,
      blksize: 8,
      windowsize: 16,
      size: 65560 * 8 + 3,
      resumeAt: 65500,
    }),
    ...step.ackWindows(10),
  ],
  'rollover-in-memory': [
    ...transfer({
      blksize: 8,
      windowsize: 1,
      size: 65537 * 8,
      resumeAt: 65534,
    }),
    ...step.ackNear(1),
    ...step.ackNear(1),
    ...step.ackNear(1),
    ...step.ackNear(1),
    ...step.ackNear(1),
  ],
  'shutdown-and-close': [
    ...transfer(small),
    ...step.another({ oack: true, blksize: 1468, windowsize: 16, size: 40000 }),
    ...step.shutdown(0),
    ...step.ack0(1),
    ...step.close(),
    ...step.another(small),
  ],
};

const dir = process.argv[2];
if (!dir) {
  console.error('usage: node bench/tftp-fuzz/seeds.ts DIR');
  process.exit(2);
}
mkdirSync(dir, { recursive: true });
for (const [name, bytes] of Object.entries(SEEDS))
  writeFileSync(join(dir, name), Uint8Array.from(bytes));
console.log(`${Object.keys(SEEDS).length} seeds in ${dir}`);
