/**
 * A raw DHCP client for tests, run inside a lab namespace: sends one request built from a JSON RequestSpec
 * to <server>:67 from port 68 (or only listens with --listen) and prints every reply received on port 68
 * as one JSON line {type, yiaddr, mac, serverId}. It exits after `replies` replies (default 1) or at the
 * deadline waitMs, whichever comes first; replies 0 listens for the whole waitMs (to see that none comes).
 * With --listen it runs until killed.
 *   node dhcp-probe.ts <server-ip|255.255.255.255> <messageType> '<json spec>' [waitMs] [replies]
 *   node dhcp-probe.ts --listen
 */
import { createSocket } from 'node:dgram';
import { messageType, serverId } from '../../src/dhcp/codec/options.ts';
import { macOf } from '../../src/dhcp/codec/packet.ts';
import { decodePacket } from '../../src/dhcp/codec/packet-decode.ts';
import { encodePacket } from '../../src/dhcp/codec/packet-encode.ts';
import { formatIpv4 } from '../../src/shared/ipv4.ts';
import { type RequestSpec, request } from './dhcp-packets.ts';

const args = process.argv.slice(2);
const listen = args[0] === '--listen';
const sock = createSocket({ type: 'udp4', reuseAddr: true });
const wanted = listen ? Infinity : Number(args[4] ?? 1) || Infinity;
let seen = 0;
sock.on('message', (buf) => {
  const d = decodePacket(buf);
  if (!d.ok || d.value.op !== 2) return;
  const sid = serverId(d.value);
  process.stdout.write(
    `${JSON.stringify({ type: messageType(d.value), yiaddr: formatIpv4(d.value.yiaddr), mac: macOf(d.value), serverId: sid === undefined ? undefined : formatIpv4(sid) })}\n`,
  );
  if (++seen >= wanted) sock.close();
});
sock.bind(68, () => {
  sock.setBroadcast(true);
  if (listen) {
    process.stdout.write('LISTENING\n');
    return;
  }
  const [server, type, spec, wait] = args;
  const p = request(Number(type), JSON.parse(spec ?? '{}') as RequestSpec);
  sock.send(encodePacket(p), 67, server ?? '255.255.255.255');
  setTimeout(
    () => {
      if (seen < wanted) sock.close();
    },
    Number(wait ?? 1000),
  ).unref();
});
