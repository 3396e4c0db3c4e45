import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Action } from './machine.ts';
import {
  initialReceive,
  type ReceiveEvent,
  type ReceiveState,
  stepReceive,
} from './receive.ts';

const retry = { initialMs: 100, maxMs: 400, maxRetries: 2 };
const d = (block: number, len: number): ReceiveEvent => ({
  type: 'data',
  block,
  data: new Uint8Array(len).fill(block & 0xff),
});

/** Run events through the machine; writes are confirmed at once (an instant disk) unless manual. */
function run(
  s: ReceiveState,
  ...events: ReceiveEvent[]
): { s: ReceiveState; actions: Action[] } {
  return runWith(true, s, ...events);
}
function runWith(
  autoWrite: boolean,
  s: ReceiveState,
  ...events: ReceiveEvent[]
): { s: ReceiveState; actions: Action[] } {
  const actions: Action[] = [];
  const queue = [...events];
  for (let e = queue.shift(); e; e = queue.shift()) {
    const r = stepReceive(s, e);
    s = r.state;
    actions.push(...r.actions);
    if (autoWrite)
      for (const a of r.actions)
        if (a.type === 'write') queue.unshift({ type: 'written' });
  }
  return { s, actions };
}
const wire = (a: Action[]): string[] =>
  a.flatMap((x) =>
    x.type === 'send'
      ? [
          x.packet.op === 'ack'
            ? `A${x.packet.block}`
            : x.packet.op === 'oack'
              ? 'OACK'
              : x.packet.op === 'error'
                ? `E${x.packet.code}`
                : '?',
        ]
      : [],
  );
const kinds = (a: Action[]): string[] =>
  a.flatMap((x) =>
    x.type === 'write'
      ? [`w${x.data.length}`]
      : x.type === 'commit' || x.type === 'close'
        ? [x.type]
        : x.type === 'finish'
          ? [`finish:${x.result}`]
          : [],
  );

test('lock-step upload: ACK 0, ACK per block, final ACK only after commit, then linger', () => {
  let { s, actions } = run(
    initialReceive({ blksize: 4, windowsize: 1, oack: undefined, retry }),
    { type: 'start' },
  );
  assert.deepEqual(wire(actions), ['A0']);
  ({ s, actions } = run(s, d(1, 4), d(2, 2)));
  assert.deepEqual(wire(actions), ['A1']);
  assert.deepEqual(kinds(actions), ['w4', 'w2', 'commit']);
  ({ s, actions } = run(s, d(2, 2)));
  assert.deepEqual(
    wire(actions),
    [],
    'no ACK for the last block before the commit',
  );
  ({ s, actions } = run(s, { type: 'committed' }));
  assert.deepEqual(wire(actions), ['A2']);
  assert.deepEqual(kinds(actions), ['finish:ok']);
  ({ s, actions } = run(s, d(2, 2)));
  assert.deepEqual(
    wire(actions),
    ['A2'],
    're-ACKs a repeated last block while lingering',
  );
  ({ s, actions } = run(s, { type: 'timeout' }));
  assert.deepEqual(kinds(actions), ['close']);
});

test('OACK first; a repeated block is re-ACKed once, then only by our timer', () => {
  let { s, actions } = run(
    initialReceive({
      blksize: 4,
      windowsize: 1,
      oack: [{ name: 'tsize', value: '9' }],
      retry,
    }),
    { type: 'start' },
  );
  assert.deepEqual(wire(actions), ['OACK']);
  ({ s, actions } = run(s, { type: 'timeout' }));
  assert.deepEqual(wire(actions), ['OACK']);
  ({ s, actions } = run(s, d(1, 4), d(1, 4), d(1, 4)));
  assert.deepEqual(wire(actions), ['A1', 'A1']);
  assert.deepEqual(kinds(actions), ['w4']);
});

test('windowsize 2: one ACK per window; a gap is answered with the last in-order block', () => {
  let { s, actions } = run(
    initialReceive({
      blksize: 4,
      windowsize: 2,
      oack: [{ name: 'windowsize', value: '2' }],
      retry,
    }),
    { type: 'start' },
    d(1, 4),
    d(2, 4),
    d(3, 4),
    d(5, 4),
  );
  assert.deepEqual(wire(actions), ['OACK', 'A2', 'A3']);
  ({ s, actions } = run(s, d(4, 4), d(5, 0)));
  assert.deepEqual(wire(actions), ['A4']);
  assert.deepEqual(kinds(actions), ['w4', 'commit']);
});

test('gives up after maxRetries and a write failure is reported with the TFTP code', () => {
  let { s, actions } = run(
    initialReceive({ blksize: 4, windowsize: 1, oack: undefined, retry }),
    { type: 'start' },
    { type: 'timeout' },
    { type: 'timeout' },
    { type: 'timeout' },
  );
  assert.deepEqual(kinds(actions), ['finish:TFTP_TIMEOUT', 'close']);
  ({ s, actions } = run(
    initialReceive({ blksize: 4, windowsize: 1, oack: undefined, retry }),
    { type: 'start' },
    d(1, 4),
    {
      type: 'ioError',
      code: 3,
      result: 'TREE_TOO_LARGE',
      message: 'too large',
    },
  ));
  assert.deepEqual(wire(actions), ['A0', 'A1', 'E3']);
  assert.deepEqual(kinds(actions).slice(-2), [
    'finish:TREE_TOO_LARGE',
    'close',
  ]);
  assert.equal(s.phase, 'done');
});

test('block numbers roll over while receiving', () => {
  const s: ReceiveState = {
    ...initialReceive({ blksize: 4, windowsize: 1, oack: undefined, retry }),
    phase: 'receiving',
    expected: 65535,
  };
  const { actions } = run(s, d(65535, 4), d(0, 4), d(1, 1));
  assert.deepEqual(wire(actions), ['A65535', 'A0']);
  assert.deepEqual(kinds(actions), ['w4', 'w4', 'w1', 'commit']);
});

test('an ACK waits for the writes it covers (backpressure)', () => {
  let { s, actions } = runWith(
    false,
    initialReceive({ blksize: 4, windowsize: 1, oack: undefined, retry }),
    { type: 'start' },
    d(1, 4),
  );
  assert.deepEqual(wire(actions), ['A0']);
  assert.equal(s.unwritten, 1);
  ({ s, actions } = runWith(false, s, { type: 'written' }));
  assert.deepEqual(wire(actions), ['A1']);
  ({ s, actions } = runWith(false, s, d(2, 4), {
    type: 'ioError',
    code: 3,
    result: 'TREE_TOO_LARGE',
    message: 'too large',
  }));
  assert.deepEqual(
    wire(actions),
    ['E3'],
    'a refused write stops the peer before its block is ACKed',
  );
});
