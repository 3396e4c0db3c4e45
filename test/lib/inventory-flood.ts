/**
 * Floods one appliance with traffic about MACs that are not phones (test/inventory-flood.test.ts), run in a
 * lab host with lab.exec; every MAC is random, its first byte never a Polycom OUI's:
 *
 *   node test/lib/inventory-flood.ts dhcp SERVER COUNT SEED   COUNT DISCOVERs (vendor class "MSFT 5.0"), 100 at a
 *        time, 20 ms apart; prints {"sent":N,"offers":N}
 *   node test/lib/inventory-flood.ts http SERVER COUNT SEED   COUNT GETs of hq/<MAC>-appliance.cfg, 16 at a time
 *        over keep-alive; prints {"ok":N,"failed":N}
 * Bounded: at most 120 s whatever happens.
 */
import { createSocket } from 'node:dgram';
import http from 'node:http';
import { MessageType } from '../../src/dhcp/codec/packet.ts';
import { decodePacket } from '../../src/dhcp/codec/packet-decode.ts';
import { encodePacket } from '../../src/dhcp/codec/packet-encode.ts';
import { request } from './dhcp-packets.ts';

const [mode, server = '', countText = '0', seedText = '1'] =
  process.argv.slice(2);
const count = Number(countText);
setTimeout(() => process.exit(3), 120_000).unref();
let x = Number(seedText) >>> 0 || 1;
const rnd = (): number => {
  x ^= x << 13;
  x >>>= 0;
  x ^= x >>> 17;
  x ^= x << 5;
  x >>>= 0;
  return x;
};
/** A random unicast MAC whose first byte is 0xa0-0xaf (no Polycom OUI starts there). */
const mac = (): string =>
  `a${(rnd() & 0xf).toString(16)}${rnd().toString(16).padStart(8, '0')}${(rnd() & 0xff).toString(16).padStart(2, '0')}`.slice(
    0,
    12,
  );

if (mode === 'dhcp') {
  const sock = createSocket({ type: 'udp4', reuseAddr: true });
  let offers = 0;
  sock.on('message', (b) => {
    const d = decodePacket(b);
    if (d.ok && d.value.op === 2) offers++;
  });
  await new Promise<void>((r) =>
    sock.bind(68, () => {
      sock.setBroadcast(true);
      r();
    }),
  );
  let sent = 0;
  while (sent < count) {
    for (let i = 0; i < 100 && sent < count; i++, sent++)
      sock.send(
        encodePacket(
          request(MessageType.DISCOVER, {
            mac: mac(),
            vendorClass: 'MSFT 5.0',
            broadcast: true,
          }),
        ),
        67,
        server,
      );
    await new Promise((r) => setTimeout(r, 20));
  }
  await new Promise((r) => setTimeout(r, 500));
  process.stdout.write(`${JSON.stringify({ sent, offers })}\n`);
  sock.close();
} else if (mode === 'http') {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });
  let ok = 0;
  let failed = 0;
  let next = 0;
  const one = (): Promise<void> =>
    new Promise((resolve) => {
      const req = http.get(
        {
          host: server,
          port: 80,
          path: `/hq/${mac()}-appliance.cfg`,
          agent,
          timeout: 10_000,
        },
        (res) => {
          res.resume();
          res.on('end', () => {
            if (res.statusCode === 200) ok++;
            else failed++;
            resolve();
          });
        },
      );
      req.on('error', () => {
        failed++;
        resolve();
      });
      req.on('timeout', () => req.destroy());
    });
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      while (next++ < count) await one();
    }),
  );
  agent.destroy();
  process.stdout.write(`${JSON.stringify({ ok, failed })}\n`);
} else {
  process.stderr.write(
    'usage: inventory-flood.ts dhcp|http SERVER COUNT SEED\n',
  );
  process.exit(2);
}
