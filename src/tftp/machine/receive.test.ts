import assert from 'node:assert/strict';
import { test } from 'node:test';
import { drive, wire } from '../../../test/lib/tftp-machine.ts';
import type { TftpOption } from '../codec/packet.ts';
import type { Action, ReceiveEvent } from './machine.ts';
import { initialReceive, type ReceiveState, stepReceive } from './receive.ts';

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
  return drive(stepReceive, s, events, (a) =>
    autoWrite && a.type === 'write'
      ? ({ type: 'written' } as const)
      : undefined,
  );
}
/** A fresh machine for 4-byte blocks. */
const fresh = (windowsize = 1, oack?: TftpOption[]): ReceiveState =>
  initialReceive({ blksize: 4, windowsize, oack, retry });
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
  let { s, actions } = run(fresh(), { type: 'start' });
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
  let { s, actions } = run(fresh(1, [{ name: 'tsize', value: '9' }]), {
    type: 'start',
  });
  assert.deepEqual(wire(actions), ['OACK']);
  ({ s, actions } = run(s, { type: 'timeout' }));
  assert.deepEqual(wire(actions), ['OACK']);
  ({ s, actions } = run(s, d(1, 4), d(1, 4), d(1, 4)));
  assert.deepEqual(wire(actions), ['A1', 'A1']);
  assert.deepEqual(kinds(actions), ['w4']);
});

test('windowsize 2: one ACK per window; a gap is answered with the last in-order block', () => {
  let { s, actions } = run(
    fresh(2, [{ name: 'windowsize', value: '2' }]),
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
    fresh(),
    { type: 'start' },
    { type: 'timeout' },
    { type: 'timeout' },
    { type: 'timeout' },
  );
  assert.deepEqual(kinds(actions), ['finish:TFTP_TIMEOUT', 'close']);
  ({ s, actions } = run(fresh(), { type: 'start' }, d(1, 4), {
    type: 'ioError',
    code: 3,
    result: 'TREE_TOO_LARGE',
    message: 'too large',
  }));
  assert.deepEqual(wire(actions), ['A0', 'A1', 'E3']);
  assert.deepEqual(kinds(actions).slice(-2), [
    'finish:TREE_TOO_LARGE',
    'close',
  ]);
  assert.equal(s.phase, 'done');
});

test('block numbers roll over while receiving', () => {
  const s: ReceiveState = {
    ...fresh(),
    phase: 'receiving',
    expected: 65535,
  };
  const { actions } = run(s, d(65535, 4), d(0, 4), d(1, 1));
  assert.deepEqual(wire(actions), ['A65535', 'A0']);
  assert.deepEqual(kinds(actions), ['w4', 'w4', 'w1', 'commit']);
});

test('an ACK waits for the writes it covers (backpressure)', () => {
  let { s, actions } = runWith(false, fresh(), { type: 'start' }, d(1, 4));
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

test('its lifetime ends an upload with ERROR 0; a stored one lingering just closes', () => {
  let { s, actions } = run(fresh(), { type: 'start' }, d(1, 4));
  ({ actions } = run(s, { type: 'expired' }));
  assert.deepEqual(wire(actions), ['E0']);
  assert.deepEqual(kinds(actions), ['finish:TFTP_LIFETIME', 'close']);
  ({ s } = run(fresh(), { type: 'start' }, d(1, 2), { type: 'committed' }));
  assert.equal(s.phase, 'lingering');
  ({ actions } = run(s, { type: 'expired' }));
  assert.deepEqual(kinds(actions), ['close'], 'the upload stays stored');
});
