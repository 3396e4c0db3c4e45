import assert from 'node:assert/strict';
import { test } from 'node:test';
import { drive, wire } from '../../../test/lib/tftp-machine.ts';
import type { TftpOption } from '../codec/packet.ts';
import type { Action, SendEvent } from './machine.ts';
import { initialSend, type SendState, stepSend } from './send.ts';

const retry = { initialMs: 100, maxMs: 400, maxRetries: 3 };
const blk = (n: number, len = 4): Uint8Array =>
  new Uint8Array(len).fill(n & 0xff);

/** Run events through the machine, collecting the actions. */
const run = (
  s: SendState,
  ...events: SendEvent[]
): { s: SendState; actions: Action[] } => drive(stepSend, s, events);
const sent = wire;
/** A fresh machine for 4-byte blocks. */
const fresh = (windowsize = 1, oack?: TftpOption[]): SendState =>
  initialSend({ blksize: 4, windowsize, oack, retry });
const types = (a: Action[]): string[] => a.map((x) => x.type);

test('lock-step without options: DATA 1 after the first read, done after the short block is ACKed', () => {
  let { s, actions } = run(fresh(), { type: 'start' });
  assert.deepEqual(types(actions), ['read']);
  ({ s, actions } = run(s, { type: 'block', data: blk(1) }));
  assert.deepEqual(sent(actions), ['D1']);
  assert.ok(actions.some((a) => a.type === 'arm' && a.ms === 100));
  assert.ok(
    actions.some((a) => a.type === 'read'),
    'reads ahead one block',
  );
  ({ s, actions } = run(
    s,
    { type: 'block', data: blk(2, 1) },
    { type: 'ack', block: 1 },
  ));
  assert.deepEqual(sent(actions), ['D2']);
  ({ s, actions } = run(s, { type: 'ack', block: 2 }));
  const fin = actions.find((a) => a.type === 'finish');
  assert.deepEqual(fin, {
    type: 'finish',
    result: 'ok',
    message: 'transfer complete',
    bytes: 5,
  });
  assert.equal(actions.at(-1)!.type, 'close');
  assert.equal(s.phase, 'done');
});

test('OACK first; DATA only after ACK 0', () => {
  let { s, actions } = run(
    fresh(1, [{ name: 'blksize', value: '4' }]),
    { type: 'start' },
    { type: 'block', data: blk(1) },
  );
  assert.deepEqual(sent(actions), ['OACK']);
  ({ s, actions } = run(s, { type: 'ack', block: 1 }));
  assert.deepEqual(sent(actions), [], 'ACK 1 before ACK 0 is ignored');
  ({ s, actions } = run(s, { type: 'ack', block: 0 }));
  assert.deepEqual(sent(actions), ['D1']);
  ({ actions } = run(s, { type: 'timeout' }));
  assert.deepEqual(sent(actions), ['D1']);
});

test("duplicate ACKs are ignored (no Sorcerer's Apprentice): only the timer resends", () => {
  let { s } = run(
    fresh(),
    { type: 'start' },
    { type: 'block', data: blk(1) },
    { type: 'block', data: blk(2) },
    { type: 'ack', block: 1 },
  );
  let actions: Action[];
  ({ s, actions } = run(
    s,
    { type: 'ack', block: 1 },
    { type: 'ack', block: 1 },
  ));
  assert.deepEqual(sent(actions), []);
  assert.equal(
    actions.filter((a) => a.type === 'note' && a.what === 'duplicate').length,
    2,
  );
  ({ s, actions } = run(s, { type: 'timeout' }));
  assert.deepEqual(sent(actions), ['D2']);
});

test('retransmit backs off exponentially and gives up after maxRetries', () => {
  let { s } = run(fresh(), { type: 'start' }, { type: 'block', data: blk(1) });
  const arms: number[] = [];
  for (let i = 0; i < 3; i++) {
    const r = run(s, { type: 'timeout' });
    s = r.s;
    arms.push(...r.actions.flatMap((a) => (a.type === 'arm' ? [a.ms] : [])));
  }
  assert.deepEqual(arms, [200, 400, 400]);
  const { actions } = run(s, { type: 'timeout' });
  assert.deepEqual(
    actions.find((a) => a.type === 'finish')?.type === 'finish' &&
      (actions.find((a) => a.type === 'finish') as { result: string }).result,
    'TFTP_TIMEOUT',
  );
});

test('windowsize 3: sends a window, slides on the last ACK, restarts after a mid-window ACK', () => {
  let { s, actions } = run(fresh(3), { type: 'start' });
  for (let i = 1; i <= 3; i++)
    ({ s, actions } = run(s, { type: 'block', data: blk(i) }));
  assert.equal(s.next, 4);
  ({ s, actions } = run(
    s,
    { type: 'ack', block: 3 },
    { type: 'block', data: blk(4) },
    { type: 'block', data: blk(5) },
    { type: 'block', data: blk(6) },
  ));
  assert.deepEqual(sent(actions), ['D4', 'D5', 'D6']);
  ({ s, actions } = run(s, { type: 'ack', block: 4 }));
  assert.deepEqual(sent(actions), ['D5', 'D6'], 'resends after the gap');
  assert.equal(s.base, 5);
});

test('block numbers roll over from 65535 to 0', () => {
  let s: SendState = {
    ...fresh(2),
    phase: 'sending',
    base: 65535,
    next: 65535,
    reading: true,
  };
  let actions: Action[];
  ({ s, actions } = run(
    s,
    { type: 'block', data: blk(1) },
    { type: 'block', data: blk(2) },
  ));
  assert.equal(s.reading, true);
  assert.deepEqual(sent(actions), ['D65535', 'D0']);
  ({ s, actions } = run(
    s,
    { type: 'ack', block: 0 },
    { type: 'block', data: blk(3, 0) },
  ));
  assert.equal(s.base, 65537);
  assert.deepEqual(sent(actions), ['D1']);
  ({ actions } = run(s, { type: 'ack', block: 1 }));
  assert.ok(actions.some((a) => a.type === 'finish' && a.result === 'ok'));
});

test('a peer ERROR ends without reply; shutdown tells the peer; a read error is reported', () => {
  const base = run(fresh(), { type: 'start' }).s;
  let r = run(base, { type: 'peerError', code: 0, message: 'cancelled' });
  assert.deepEqual(sent(r.actions), []);
  assert.ok(
    r.actions.some(
      (a) => a.type === 'finish' && a.result === 'TFTP_PEER_ERROR',
    ),
  );
  r = run(base, { type: 'shutdown' });
  assert.deepEqual(sent(r.actions), ['E0']);
  r = run(base, {
    type: 'readError',
    code: 0,
    result: 'TREE_IO',
    message: 'disk',
  });
  assert.ok(
    r.actions.some((a) => a.type === 'finish' && a.result === 'TREE_IO'),
  );
  assert.deepEqual(
    run(r.s, { type: 'ack', block: 1 }).actions,
    [],
    'nothing after done',
  );
});
