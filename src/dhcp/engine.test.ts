import assert from 'node:assert/strict';
import { test } from 'node:test';
import { dhcpLabModel as labModel } from '../../test/lib/dhcp-fixture.ts';
import {
  ipn,
  type RequestSpec,
  request,
  SPIP601_VENDOR_CLASS,
} from '../../test/lib/dhcp-packets.ts';
import { formatIpv4 } from '../shared/ipv4.ts';
import { MessageType } from './codec/packet.ts';
import { i32, string as str } from './codec/values.ts';
import { decide, type EngineInput, OFFER_HOLD_MS } from './engine.ts';
import { labelsOf } from './labels.ts';
import { createLeaseTable, type LeaseTable } from './leases/table.ts';

const model = labModel();
const SERVER = ipn('10.91.2.1');
const T0 = 1_700_000_000_000;

function run(
  table: LeaseTable,
  type: number,
  spec: RequestSpec = {},
  now = T0,
  m = model,
) {
  const req = request(type, spec);
  const input: EngineInput = {
    req,
    model: m,
    labels: labelsOf(req).labels,
    now,
    leases: table,
    serverIp: SERVER,
  };
  const d = decide(input);
  for (const c of d.changes) table.apply(c);
  return d;
}
const text = (v: Uint8Array | undefined): string | undefined =>
  v ? str.decode(v) : undefined;
const type = (d: ReturnType<typeof run>): number | undefined =>
  d.reply?.packet.options.get(53)?.[0];

/** A table in which the default phone (0004f2aabbcc) holds 10.91.2.100: DISCOVER, then REQUEST (SELECTING). */
function bound(): LeaseTable {
  const t = createLeaseTable();
  run(t, MessageType.DISCOVER);
  run(t, MessageType.REQUEST, {
    requested: '10.91.2.100',
    serverId: '10.91.2.1',
  });
  return t;
}

test('DISCOVER gets an OFFER from the pool with site options, boot server and VLAN even if not asked', () => {
  const t = createLeaseTable();
  const d = run(t, MessageType.DISCOVER, { prl: [1, 3, 6, 42, 2] });
  assert.equal(type(d), MessageType.OFFER);
  const p = d.reply!.packet;
  assert.equal(formatIpv4(p.yiaddr), '10.91.2.100');
  assert.deepEqual(
    [...p.options.keys()],
    [53, 54, 51, 58, 59, 1, 3, 6, 42, 2, 66, 160, 128],
  );
  assert.equal(i32.decode(p.options.get(2)!), -21600);
  assert.equal(text(p.options.get(66)), 'ftp://PlcmSpIp:PlcmSpIp@10.91.2.1');
  assert.equal(text(p.options.get(128)), 'VLAN-A=200;');
  assert.deepEqual(d.reply!.dest, { ip: 0xffffffff, port: 68 });
  assert.equal(d.changes[0]!.kind, 'hold');
  // A second client gets the next address while the first offer is held.
  const d2 = run(t, MessageType.DISCOVER, { mac: '0004f2000099' });
  assert.equal(formatIpv4(d2.reply!.packet.yiaddr), '10.91.2.101');
});

test('fixed VLAN discovery goes in whichever of 128/144/157/191 the phone asks for', () => {
  const d = run(createLeaseTable(), MessageType.DISCOVER, {
    prl: [1, 144, 157, 66],
  });
  const keys = [...d.reply!.packet.options.keys()];
  assert.ok(keys.includes(144) && keys.includes(157) && !keys.includes(128));
});

test("SELECTING: REQUEST for our offer is ACKed and bound; another server's selection is ignored", () => {
  const t = createLeaseTable();
  const offer = run(t, MessageType.DISCOVER);
  const ip = formatIpv4(offer.reply!.packet.yiaddr);
  const other = run(t, MessageType.REQUEST, {
    requested: ip,
    serverId: '10.91.2.2',
  });
  assert.equal(other.reply, undefined);
  assert.equal(other.result, 'DHCP_OTHER_SERVER');
  const ack = run(t, MessageType.REQUEST, {
    requested: ip,
    serverId: '10.91.2.1',
  });
  assert.equal(type(ack), MessageType.ACK);
  assert.equal(ack.durable, true);
  assert.equal(formatIpv4(t.leaseOf('0004f2aabbcc' as never)!.ip), ip);
  assert.equal(t.leaseOf('0004f2aabbcc' as never)!.expires, T0 + 3600_000);
});

test('SELECTING an address held for another client is NAKed', () => {
  const t = createLeaseTable();
  const offer = run(t, MessageType.DISCOVER, { mac: '0004f2000002' });
  const d = run(t, MessageType.REQUEST, {
    requested: formatIpv4(offer.reply!.packet.yiaddr),
    serverId: '10.91.2.1',
  });
  assert.equal(type(d), MessageType.NAK);
});

test('INIT-REBOOT: own address ACKed, wrong address or foreign network NAKed, broadcast', () => {
  const t = bound();
  assert.equal(
    type(run(t, MessageType.REQUEST, { requested: '10.91.2.100' })),
    MessageType.ACK,
  );
  const wrong = run(t, MessageType.REQUEST, { requested: '10.91.2.120' });
  assert.equal(type(wrong), MessageType.NAK);
  assert.deepEqual(wrong.reply!.dest, { ip: 0xffffffff, port: 68 });
  assert.equal(wrong.reply!.packet.yiaddr, 0);
  assert.equal(
    type(
      run(t, MessageType.REQUEST, {
        mac: '0004f2000003',
        requested: '192.168.1.10',
      }),
    ),
    MessageType.NAK,
  );
});

test("RENEWING is ACKed to ciaddr:68 and extends the lease; REBINDING someone else's address is NAKed", () => {
  const t = bound();
  const renew = run(
    t,
    MessageType.REQUEST,
    { ciaddr: '10.91.2.100' },
    T0 + 1000_000,
  );
  assert.equal(type(renew), MessageType.ACK);
  assert.deepEqual(renew.reply!.dest, { ip: ipn('10.91.2.100'), port: 68 });
  assert.equal(renew.reply!.packet.ciaddr, ipn('10.91.2.100'));
  assert.equal(
    t.leaseOf('0004f2aabbcc' as never)!.expires,
    T0 + 1000_000 + 3600_000,
  );
  const steal = run(t, MessageType.REQUEST, {
    mac: '0004f2000004',
    ciaddr: '10.91.2.100',
  });
  assert.equal(type(steal), MessageType.NAK);
  assert.deepEqual(steal.reply!.dest, { ip: 0xffffffff, port: 68 });
});

test('reservations: the phone gets its address, nobody else does', () => {
  const t = createLeaseTable();
  const d = run(t, MessageType.DISCOVER, { mac: '0004f2000001', prl: [1, 3] });
  assert.equal(formatIpv4(d.reply!.packet.yiaddr), '10.91.2.50');
  assert.equal(
    d.reply!.packet.options.has(152),
    true,
    'phone entry option sent',
  );
  // Another phone asking for it in INIT-REBOOT: we hold no record of that phone, so silence (RFC 2131 §4.3.2);
  // once it has a lease of its own, the same request is NAKed.
  const other = run(t, MessageType.REQUEST, {
    mac: '0004f2000005',
    requested: '10.91.2.50',
  });
  assert.equal(other.reply, undefined);
  assert.equal(other.result, 'DHCP_NO_RECORD');
  run(t, MessageType.DISCOVER, { mac: '0004f2000005' });
  const own = run(t, MessageType.REQUEST, {
    mac: '0004f2000005',
    requested: '10.91.2.100',
    serverId: '10.91.2.1',
  });
  assert.equal(type(own), MessageType.ACK);
  const again = run(t, MessageType.REQUEST, {
    mac: '0004f2000005',
    requested: '10.91.2.50',
  });
  assert.equal(type(again), MessageType.NAK);
});

test('DECLINE of an address never offered to the sender is ignored', () => {
  const t = createLeaseTable();
  const d = run(t, MessageType.DECLINE, {
    mac: '0004f2000009',
    requested: '10.91.2.120',
    serverId: '10.91.2.1',
  });
  assert.equal(d.result, 'DHCP_BAD_DECLINE');
  assert.deepEqual(d.changes, []);
});

test('classes: binary option 60 of a SoundPoint gets its class option, a VVX does not', () => {
  const sp = run(createLeaseTable(), MessageType.DISCOVER, {
    vendorClass: SPIP601_VENDOR_CLASS,
  });
  assert.equal(sp.labels.model, 'SPIP601');
  assert.equal(sp.labels.family, 'SoundPoint');
  assert.ok(sp.reply!.packet.options.has(150));
  const vvx = run(createLeaseTable(), MessageType.DISCOVER, {
    vendorClass: 'Polycom-VVX410',
  });
  assert.equal(vvx.labels.family, 'VVX');
  assert.ok(!vvx.reply!.packet.options.has(150));
  const ss = run(createLeaseTable(), MessageType.DISCOVER, {
    vendorClass: 'Polycom-SSIP6000',
  });
  assert.equal(text(ss.reply!.packet.options.get(151)), 'conference-room');
});

test('DECLINE quarantines the address; RELEASE frees it', () => {
  const t = bound();
  const dec = run(t, MessageType.DECLINE, {
    requested: '10.91.2.100',
    serverId: '10.91.2.1',
  });
  assert.equal(dec.reply, undefined);
  assert.deepEqual(t.occupant(ipn('10.91.2.100'), T0), { kind: 'declined' });
  const again = run(t, MessageType.DISCOVER, {}, T0 + 1);
  assert.equal(formatIpv4(again.reply!.packet.yiaddr), '10.91.2.101');
  run(
    t,
    MessageType.REQUEST,
    { requested: '10.91.2.101', serverId: '10.91.2.1' },
    T0 + 2,
  );
  run(
    t,
    MessageType.RELEASE,
    { ciaddr: '10.91.2.101', serverId: '10.91.2.1' },
    T0 + 3,
  );
  assert.equal(t.occupant(ipn('10.91.2.101'), T0 + 4), undefined);
});

test('INFORM: ACK with configuration, no address and no lease times, to ciaddr:68 or to the relay', () => {
  const d = run(createLeaseTable(), MessageType.INFORM, {
    ciaddr: '10.91.2.77',
    prl: [66, 160, 42],
  });
  const p = d.reply!.packet;
  assert.equal(type(d), MessageType.ACK);
  assert.equal(p.yiaddr, 0);
  assert.equal(p.ciaddr, ipn('10.91.2.77'));
  for (const code of [51, 58, 59]) assert.equal(p.options.has(code), false);
  assert.deepEqual(d.reply!.dest, { ip: ipn('10.91.2.77'), port: 68 });
  assert.deepEqual(d.changes, []);
  const relayed = run(createLeaseTable(), MessageType.INFORM, {
    ciaddr: '10.99.0.20',
    giaddr: '10.99.0.1',
  });
  assert.equal(relayed.site?.name, 'branch');
  assert.equal(
    text(relayed.reply!.packet.options.get(66)),
    'tftp://10.91.2.1/branch',
  );
  assert.deepEqual(relayed.reply!.dest, { ip: ipn('10.99.0.1'), port: 67 });
});

test('inform-only sites ignore DISCOVER and REQUEST', () => {
  const t = createLeaseTable();
  for (const ty of [MessageType.DISCOVER, MessageType.REQUEST]) {
    const d = run(t, ty, { giaddr: '10.99.0.1', requested: '10.99.0.20' });
    assert.equal(d.reply, undefined);
    assert.equal(d.result, 'DHCP_INFORM_ONLY');
  }
  const m = labModel({ mode: 'inform-only' });
  assert.equal(run(t, MessageType.DISCOVER, {}, T0, m).reply, undefined);
});

test('relayed requests: site by giaddr, reply to giaddr:67; unknown relay is dropped', () => {
  const d = run(createLeaseTable(), MessageType.DISCOVER, {
    giaddr: '10.91.4.1',
  });
  assert.equal(d.site?.name, 'remote');
  assert.equal(formatIpv4(d.reply!.packet.yiaddr), '10.91.4.100');
  assert.deepEqual(d.reply!.dest, { ip: ipn('10.91.4.1'), port: 67 });
  assert.equal(d.reply!.packet.giaddr, ipn('10.91.4.1'));
  assert.equal(
    run(createLeaseTable(), MessageType.DISCOVER, { giaddr: '172.16.0.1' })
      .result,
    'DHCP_NO_SITE',
  );
});

test('offers expire; expired leases are reclaimed when the pool is exhausted', () => {
  const m = labModel({ pool: '10.91.2.100-10.91.2.101' });
  const t = createLeaseTable();
  const a = run(t, MessageType.DISCOVER, { mac: '0004f2000010' }, T0, m);
  run(t, MessageType.DISCOVER, { mac: '0004f2000011' }, T0, m);
  assert.equal(
    run(t, MessageType.DISCOVER, { mac: '0004f2000012' }, T0, m).result,
    'DHCP_POOL_EXHAUSTED',
  );
  const later = run(
    t,
    MessageType.DISCOVER,
    { mac: '0004f2000012' },
    T0 + OFFER_HOLD_MS + 1,
    m,
  );
  assert.equal(later.reply!.packet.yiaddr, a.reply!.packet.yiaddr);
  run(
    t,
    MessageType.REQUEST,
    {
      mac: '0004f2000012',
      requested: formatIpv4(later.reply!.packet.yiaddr),
      serverId: '10.91.2.1',
    },
    T0 + OFFER_HOLD_MS + 2,
    m,
  );
  const afterExpiry = T0 + OFFER_HOLD_MS + 3600_000 + 10;
  run(t, MessageType.DISCOVER, { mac: '0004f2000013' }, afterExpiry, m);
  const reclaimed = run(
    t,
    MessageType.DISCOVER,
    { mac: '0004f2000014' },
    afterExpiry,
    m,
  );
  assert.equal(
    reclaimed.reply!.packet.yiaddr,
    a.reply!.packet.yiaddr,
    'expired lease of 0012 reused',
  );
});
