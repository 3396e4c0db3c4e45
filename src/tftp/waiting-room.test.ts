/**
 * The transfer slots' waiting room on a hand-driven clock: a request past maxTransfers is served when a slot
 * comes back within WAIT_MS and refused (once) when none does, first come first served, bounded, and every
 * waiter refused on close.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { manualClock } from './manual-clock.ts';
import { emptyStats } from './stats.ts';
import {
  createTransferSlots,
  type SlotRequest,
  WAIT_MS,
  WAITING_ROOM_SIZE,
} from './waiting-room.ts';

function setup(maxTransfers = 2) {
  const clock = manualClock();
  const stats = emptyStats();
  const slots = createTransferSlots(stats, clock);
  const log: string[] = [];
  const ask = (name: string, address = `10.0.0.${name}`): SlotRequest => {
    const r: SlotRequest = {
      key: `${address}:1000`,
      address,
      maxTransfers,
      start: () => log.push(`start ${name}`),
      refuse: (why) => log.push(`refuse ${name} ${why}`),
    };
    slots.acquire(r);
    return r;
  };
  return { clock, stats, slots, log, ask };
}

test('a request past maxTransfers is served when a slot comes back within the wait', () => {
  const { clock, stats, slots, log, ask } = setup();
  ask('1');
  ask('2');
  ask('3');
  assert.deepEqual(log, ['start 1', 'start 2']);
  assert.equal(stats.waiting, 1);
  assert.ok(slots.isWaiting('10.0.0.3:1000'));
  assert.equal(
    slots.heldBy('10.0.0.3'),
    1,
    'a waiting request holds its host slot',
  );
  clock.advanceTo(WAIT_MS - 1);
  slots.release('10.0.0.1');
  assert.deepEqual(log, ['start 1', 'start 2', 'start 3']);
  assert.equal(slots.heldBy('10.0.0.1'), 0);
  clock.advanceTo(10 * WAIT_MS);
  assert.deepEqual(log.length, 3, 'the served request is never refused');
  assert.equal(stats.active, 2);
  assert.equal(stats.peakActive, 2);
  assert.equal(stats.requests, 3);
  assert.equal(stats.waited, 1);
  assert.equal(stats.waiting, 0);
});

test('a request past maxTransfers is refused once, WAIT_MS after it came, when no slot comes back', () => {
  const { clock, stats, slots, log, ask } = setup();
  ask('1');
  ask('2');
  clock.advanceTo(100);
  ask('3');
  clock.advanceTo(100 + WAIT_MS - 1);
  assert.deepEqual(log, ['start 1', 'start 2']);
  clock.advanceTo(100 + WAIT_MS);
  assert.deepEqual(log, ['start 1', 'start 2', 'refuse 3 busy']);
  assert.equal(slots.heldBy('10.0.0.3'), 0, 'its host slot is given back');
  assert.equal(slots.isWaiting('10.0.0.3:1000'), false);
  slots.release('10.0.0.1');
  clock.advanceTo(10 * WAIT_MS);
  assert.equal(log.length, 3, 'refused once, never started later');
  assert.equal(stats.active, 1);
  assert.equal(stats.requests, 2);
});

test('waiting requests are served in arrival order, and a newcomer queues behind them', () => {
  const { clock, slots, log, ask } = setup(1);
  ask('1');
  ask('2');
  clock.advanceTo(10);
  ask('3');
  slots.release('10.0.0.1');
  ask('4'); // the freed slot went to 2: 4 waits behind 3
  slots.release('10.0.0.2');
  assert.deepEqual(log, ['start 1', 'start 2', 'start 3']);
  clock.advanceTo(WAIT_MS + 10);
  assert.deepEqual(log, ['start 1', 'start 2', 'start 3', 'refuse 4 busy']);
});

test('the room is bounded, and close() refuses every waiting request', () => {
  const { clock, stats, slots, log, ask } = setup(1);
  ask('first');
  for (let i = 0; i < WAITING_ROOM_SIZE; i++)
    ask(`w${i}`, `10.1.${i >> 8}.${i & 255}`);
  assert.equal(stats.waiting, WAITING_ROOM_SIZE);
  ask('late');
  assert.deepEqual(log.slice(1), ['refuse late busy'], 'refused at once');
  slots.close();
  assert.equal(
    log.filter((l) => l.endsWith(' closing')).length,
    WAITING_ROOM_SIZE,
  );
  assert.equal(stats.waiting, 0);
  const before = log.length;
  clock.advanceTo(10 * WAIT_MS);
  slots.release('10.0.0.first');
  assert.equal(log.length, before, 'no timer left, nobody started');
});
