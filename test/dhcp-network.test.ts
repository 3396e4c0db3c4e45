/**
 * Where the server answers: only on its interface (multi-homed namespace, two segments), through dhcrelay
 * for the relay's site, never for another server's selection; a wrong INIT-REBOOT address gets a NAK.
 * Segments: 10.91.2.0/24 (appliance), 10.91.3.0/24 (other interface), 10.91.4.0/24 (behind the relay).
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MessageType } from '../src/dhcp/codec/packet.ts';
import {
  envScript,
  labSkip,
  readEnv,
  startServer,
  udhcpc,
} from './lib/dhcp-lab.ts';
import { addSegment, createLab, waitFor } from './lib/netns.ts';

const skip = await labSkip(['udhcpc', 'dhcrelay']);
const PROBE = new URL('./lib/dhcp-probe.ts', import.meta.url).pathname;
type Reply = { type: number; yiaddr: string; serverId?: string };
const replies = (stdout: string): Reply[] =>
  stdout
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Reply);

test('multi-homed server answers only on its configured interface', {
  skip,
  timeout: 60_000,
}, async () => {
  const lab = await createLab({
    prefix: 'dhcpm',
    hosts: ['srv', 'cli', 'far'],
    subnet: '10.91.2',
  });
  const seg = await addSegment(lab, {
    name: 'b',
    subnet: '10.91.3',
    members: [
      { host: 'srv', iface: 'eth1', octet: 1 },
      { host: 'far', iface: 'eth1', octet: 2 },
    ],
  });
  try {
    await lab.exec('far', ['ip', 'link', 'set', 'eth0', 'down']); // "far" lives only on the other segment
    const srv = await startServer(lab, 'srv');
    const far = envScript(srv.dir, 'far', ['bound']);
    const r = await lab.exec(
      'far',
      udhcpc({
        script: far.script,
        iface: 'eth1',
        tries: 3,
        vendorClass: 'Polycom-VVX410',
      }),
      { timeoutMs: 15_000, allowFail: true },
    );
    assert.notEqual(r.code, 0, 'no lease on the other interface');
    assert.equal(readEnv(far.out), undefined);
    const stats = await srv.stats();
    assert.equal(
      (stats.requests as Record<string, number>).DISCOVER ?? 0,
      0,
      "the kernel never delivered the other segment's DISCOVER",
    );
    // Control: the same server, same moment, answers on its own interface.
    const near = envScript(srv.dir, 'near', ['bound']);
    await lab.exec('cli', udhcpc({ script: near.script, tries: 3 }), {
      timeoutMs: 15_000,
    });
    assert.match(readEnv(near.out)!.ip!, /^10\.91\.2\.1\d\d$/);
  } finally {
    await seg.destroy();
    await lab.destroy();
  }
});

test("dhcrelay in a middle namespace gets answers for its subnet's site", {
  skip,
  timeout: 60_000,
}, async () => {
  const lab = await createLab({
    prefix: 'dhcpr',
    hosts: ['srv', 'relay', 'phone'],
    subnet: '10.91.2',
  });
  const seg = await addSegment(lab, {
    name: 'r',
    subnet: '10.91.4',
    members: [
      { host: 'relay', iface: 'eth1', octet: 1 },
      { host: 'phone', iface: 'eth1', octet: 2 },
    ],
  });
  try {
    await lab.exec('phone', ['ip', 'link', 'set', 'eth0', 'down']);
    await lab.exec('srv', [
      'ip',
      'route',
      'add',
      '10.91.4.0/24',
      'via',
      '10.91.2.2',
    ]);
    const srv = await startServer(lab, 'srv');
    const relay = lab.spawn(
      'relay',
      ['dhcrelay', '-d', '-4', '-iu', 'eth0', '-id', 'eth1', '10.91.2.1'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let relayLog = '';
    for (const s of [relay.stdout!, relay.stderr!])
      s.on('data', (d: Buffer) => {
        relayLog += d.toString();
      });
    // dhcrelay prints its fallback socket last, once every interface is open
    await waitFor(
      () =>
        relayLog.includes('Sending on   Socket/fallback') ||
        relay.exitCode !== null,
      10_000,
      'dhcrelay listening',
    );
    assert.equal(relay.exitCode, null, `dhcrelay runs: ${relayLog}`);
    const { script, out } = envScript(srv.dir, 'relayed', ['bound']);
    await lab.exec(
      'phone',
      udhcpc({
        script,
        iface: 'eth1',
        vendorClass: 'Polycom-VVX410',
        ask: [66, 2],
      }),
      { timeoutMs: 20_000 },
    );
    const env = readEnv(out)!;
    assert.match(
      env.ip!,
      /^10\.91\.4\.1[0-4]\d$/,
      'address from the remote site pool',
    );
    assert.equal(env.router, '10.91.4.1');
    assert.equal(env.lease, '600');
    assert.equal(env.timezone, '3600');
    assert.equal(
      env.opt160,
      Buffer.from('http://10.91.2.1/remote').toString('hex'),
    );
  } finally {
    await seg.destroy();
    await lab.destroy();
  }
});

test("another server's selection is ignored; a wrong INIT-REBOOT address is NAKed", {
  skip,
  timeout: 60_000,
}, async () => {
  const lab = await createLab({
    prefix: 'dhcpn',
    hosts: ['srv', 'cli'],
    subnet: '10.91.2',
  });
  try {
    const srv = await startServer(lab, 'srv');
    // ends at the first reply (deadline 5 s); silent: listen 500 ms for a reply that must not come
    const probe = async (
      type: number,
      spec: object,
      silent = false,
    ): Promise<Reply[]> =>
      replies(
        (
          await lab.exec(
            'cli',
            [
              process.execPath,
              PROBE,
              '10.91.2.1',
              String(type),
              JSON.stringify({ broadcast: true, ...spec }),
              silent ? '500' : '5000',
              silent ? '0' : '1',
            ],
            { timeoutMs: 10_000 },
          )
        ).stdout,
      );
    const offer = await probe(MessageType.DISCOVER, { mac: '0004f2c0ffee' });
    assert.equal(offer[0]?.type, MessageType.OFFER);
    const other = await probe(
      MessageType.REQUEST,
      {
        mac: '0004f2c0ffee',
        requested: offer[0]!.yiaddr,
        serverId: '10.91.2.9',
      },
      true,
    );
    assert.deepEqual(other, [], "silent for another server's selection");
    const ack = await probe(MessageType.REQUEST, {
      mac: '0004f2c0ffee',
      requested: offer[0]!.yiaddr,
      serverId: '10.91.2.1',
    });
    assert.equal(ack[0]?.type, MessageType.ACK);
    const wrong = await probe(MessageType.REQUEST, {
      mac: '0004f2c0ffee',
      requested: '10.91.2.190',
    });
    assert.equal(wrong[0]?.type, MessageType.NAK);
    assert.equal(wrong[0]?.yiaddr, '0.0.0.0');
    const foreignNet = await probe(MessageType.REQUEST, {
      mac: '0004f2c0ff00',
      requested: '192.168.7.7',
    });
    assert.equal(foreignNet[0]?.type, MessageType.NAK);
    const again = await probe(MessageType.REQUEST, {
      mac: '0004f2c0ffee',
      requested: offer[0]!.yiaddr,
    });
    assert.equal(
      again[0]?.type,
      MessageType.ACK,
      'INIT-REBOOT with the right address',
    );
    const stats = await srv.stats();
    assert.equal(
      (stats.results as Record<string, number>).DHCP_OTHER_SERVER,
      1,
    );
  } finally {
    await lab.destroy();
  }
});
