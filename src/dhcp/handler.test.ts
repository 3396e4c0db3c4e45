import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pino } from 'pino';
import { dhcpLabModel } from '../../test/lib/dhcp-fixture.ts';
import { request } from '../../test/lib/dhcp-packets.ts';
import { createEventBus } from '../runtime/events.ts';
import { createBoundedRateLimiter } from '../shared/rate-limit.ts';
import { MessageType } from './codec/packet.ts';
import { encodePacket } from './codec/packet-encode.ts';
import { createDhcpHandler } from './handler.ts';
import { createLeaseTable, type LeaseChange } from './leases/table.ts';
import { createStats } from './stats.ts';

interface Line {
  level: number;
  msg: string;
  mac?: string;
  reply?: string;
}

/** A handler over an in-memory table at `level`; returns what it logged and what it sent. */
function handlerAt(level: string) {
  const lines: Line[] = [];
  const log = pino(
    { level },
    { write: (s: string) => lines.push(JSON.parse(s)) },
  );
  const table = createLeaseTable();
  const sent: Uint8Array[] = [];
  const model = dhcpLabModel();
  const h = createDhcpHandler({
    model: { current: () => model },
    iface: model.interface,
    pinnedInterface: true,
    log,
    events: createEventBus(),
    store: {
      table,
      commitCb(changes: readonly LeaseChange[], done) {
        for (const c of changes) table.apply(c);
        done();
        return true;
      },
    },
    limiter: createBoundedRateLimiter({
      maxKeys: 100,
      burst: 40,
      perSecond: 10,
    }),
    stats: createStats(),
    now: () => 1_700_000_000_000,
    send: (bytes) => sent.push(bytes),
    closed: () => false,
  });
  /** DISCOVER then REQUEST of the offered address, for one MAC. */
  const dora = (mac: string): void => {
    h.onMessage(encodePacket(request(MessageType.DISCOVER, { mac })));
    const offered = sent.at(-1)!;
    const yiaddr = [...offered.subarray(16, 20)].join('.');
    h.onMessage(
      encodePacket(
        request(MessageType.REQUEST, {
          mac,
          requested: yiaddr,
          serverId: model.address,
        }),
      ),
    );
  };
  return { lines, sent, dora };
}

const dhcpLines = (lines: Line[]): Line[] =>
  lines.filter((l) => l.msg === 'dhcp');

test('at info, a phone’s first ACK is logged once; its renewals and every OFFER are not', () => {
  const { lines, sent, dora } = handlerAt('info');
  dora('0004f2000001');
  dora('0004f2000001'); // the same phone again: same address, no news
  dora('0004f2000002');
  assert.equal(sent.length, 6, 'every message answered');
  const logged = dhcpLines(lines);
  assert.deepEqual(
    logged.map((l) => [l.mac, l.reply]),
    [
      ['0004f2000001', 'ACK'],
      ['0004f2000002', 'ACK'],
    ],
  );
});

test('at debug every message is logged; at warn no exchange line at all', () => {
  const debug = handlerAt('debug');
  debug.dora('0004f2000001');
  debug.dora('0004f2000001');
  assert.equal(dhcpLines(debug.lines).length, 4);
  const warn = handlerAt('warn');
  warn.dora('0004f2000001');
  assert.equal(warn.sent.length, 2);
  assert.deepEqual(warn.lines, []);
});
