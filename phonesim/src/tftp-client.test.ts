/**
 * phonesim's TFTP client against a scripted server (tftp-client.probe.ts), both inside a throwaway network
 * namespace: the request's options, OACK → ACK 0, lock-step to the end with the final ACK delivered, block
 * roll-over past 65535, lost ACKs repeated when the server repeats itself, a silent server answered by the
 * client's own retransmissions (counted), ERROR 5 to a stranger, malformed datagrams dropped, errors mapped
 * to SIM_* codes, and a WRQ whose DATA is lost once. Needs root (namespaces); skipped otherwise.
 */

import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { canRunLab, createLab, type Lab } from '../../test/lib/netns.ts';

const PROBE = join(import.meta.dirname, 'tftp-client.probe.ts');
let lab: Lab | undefined;
const skip = canRunLab() ? false : 'needs root for a network namespace';

before(async () => {
  if (!skip)
    lab = await createLab({
      prefix: 'ptftp',
      hosts: ['sim'],
      subnet: '10.91.12',
    });
});
after(async () => {
  await lab?.destroy();
});

type Outcome = {
  ok: boolean;
  error?: { code: string; message: string };
  bytes: number;
  intact: boolean;
  kept: number;
  keptIntact: boolean;
  retries: number;
  request?: {
    op: string;
    filename: string;
    mode: string;
    options: { name: string; value: string }[];
  };
  acks: Record<string, number>;
  finalAck: boolean;
  stranger?: { op: string; code: number };
  wrongAcks: number;
  requests?: number;
  copies?: Record<string, number>;
};

async function run(scenario: string): Promise<Outcome> {
  const r = await lab!.exec('sim', [process.execPath, PROBE, scenario], {
    timeoutMs: 60_000,
  });
  return JSON.parse(r.stdout) as Outcome;
}

test('RRQ with blksize and tsize, OACK → ACK 0, lock-step to a short last block whose ACK reaches the server', {
  skip,
}, async () => {
  const o = await run('basic');
  assert.equal(o.ok, true, JSON.stringify(o.error));
  assert.deepEqual(o.request, {
    op: 'rrq',
    filename: 'sites/hq/a/file.ld',
    mode: 'octet',
    options: [
      { name: 'blksize', value: '1468' },
      { name: 'tsize', value: '0' },
    ],
  });
  assert.equal(o.bytes, 1468 * 100 + 17);
  assert.ok(o.intact && o.keptIntact, 'hash and kept bytes match');
  assert.equal(o.acks['0'], 1);
  for (let b = 1; b <= 101; b++)
    assert.equal(o.acks[String(b)], 1, `one ACK ${b}`);
  assert.equal(o.finalAck, true);
  assert.equal(o.retries, 0);
  assert.equal(o.wrongAcks, 0);
});

test('a file of whole blocks ends with an empty DATA; plain RFC 1350 sends no options and uses 512-byte blocks', {
  skip,
}, async () => {
  const e = await run('exact');
  assert.ok(e.ok && e.intact && e.finalAck, JSON.stringify(e));
  assert.equal(e.acks['4'], 1);
  const p = await run('plain');
  assert.ok(p.ok && p.intact && p.finalAck, JSON.stringify(p));
  assert.deepEqual(p.request?.options, []);
  assert.equal(p.acks['0'], undefined, 'no ACK 0 without an OACK');
  assert.equal(p.acks['5'], 1);
});

test('block numbers roll over past 65535', {
  skip,
  timeout: 120_000,
}, async () => {
  const o = await run('rollover');
  assert.equal(o.ok, true, JSON.stringify(o.error));
  assert.ok(o.intact && o.finalAck);
  assert.equal(o.bytes, 8 * 70_000 + 3);
  assert.equal(o.wrongAcks, 0);
  assert.equal(o.acks['0'], 2, 'ACK 0 for the OACK and for block 65536');
  assert.equal(
    o.acks['4465'],
    2,
    'block 4465 and the last block, 70001 & 0xffff',
  );
  assert.equal(o.acks['4466'], 1, 'past the last block: once');
});

test('lost ACKs: the server repeats itself and the client repeats its ACK (no retransmission of its own)', {
  skip,
}, async () => {
  const o = await run('lostAck');
  assert.ok(o.ok && o.intact && o.finalAck, JSON.stringify(o));
  assert.equal(o.acks['0'], 2, 'ACK 0 repeated for the repeated OACK');
  assert.equal(o.acks['5'], 2, 'ACK 5 repeated for the repeated DATA 5');
  assert.equal(o.acks['6'], 1);
  assert.equal(o.retries, 0);
});

test('an ACK the server drops: the client retransmits it after its timeout and counts the retry', {
  skip,
}, async () => {
  const o = await run('swallowedAck');
  assert.ok(o.ok && o.intact && o.finalAck, JSON.stringify(o));
  assert.equal(o.acks['3'], 2);
  assert.equal(o.retries, 1);
});

test('a stranger gets ERROR 5 and the transfer goes on; malformed datagrams are dropped', {
  skip,
}, async () => {
  const s = await run('stranger');
  assert.ok(s.ok && s.intact && s.finalAck, JSON.stringify(s));
  assert.equal(s.stranger?.op, 'error');
  assert.equal(s.stranger?.code, 5);
  const g = await run('garbage');
  assert.ok(g.ok && g.intact && g.finalAck, JSON.stringify(g));
  assert.equal(g.acks['1'], 1);
});

test('a silent server: the last packet goes 1 + maxRetries times, then SIM_TIMEOUT', {
  skip,
}, async () => {
  const o = await run('silent');
  assert.equal(o.ok, false);
  assert.equal(o.error?.code, 'SIM_TIMEOUT');
  assert.equal(o.acks['0'], 4);
  assert.equal(o.retries, 3);
  const n = await run('noServer');
  assert.equal(n.error?.code, 'SIM_TIMEOUT');
  assert.equal(n.requests, 4);
  assert.equal(n.retries, 3);
});

test('TFTP errors map to SIM_NOT_FOUND, SIM_DENIED and SIM_PROTOCOL', {
  skip,
}, async () => {
  for (const [scenario, code] of [
    ['notFound', 'SIM_NOT_FOUND'],
    ['denied', 'SIM_DENIED'],
    ['other', 'SIM_PROTOCOL'],
  ] as const) {
    const o = await run(scenario);
    assert.equal(o.ok, false);
    assert.equal(o.error?.code, code, scenario);
  }
});

test('WRQ with blksize and tsize: a lost DATA is retransmitted on timeout and the upload arrives intact', {
  skip,
}, async () => {
  const o = await run('upload');
  assert.equal(o.ok, true, JSON.stringify(o.error));
  assert.deepEqual(o.request, {
    op: 'wrq',
    filename: 'sites/hq/up/log.txt',
    mode: 'octet',
    options: [
      { name: 'blksize', value: '1000' },
      { name: 'tsize', value: '5007' },
    ],
  });
  assert.equal(o.intact, true);
  assert.equal(o.copies?.['2'], 2);
  assert.equal(o.retries, 1);
});
