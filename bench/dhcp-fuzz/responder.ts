/**
 * A minimal DHCP responder built only on the codec, for capture-seeds.ts: run inside a lab namespace, it prints
 * every request it receives as one JSON line {type, hex} and answers DISCOVER with an OFFER and REQUEST with an
 * ACK (fixed address 10.91.1.57), broadcast to <subnet>.255:68. Not a server: no leases, no checks.
 *
 *   ip netns exec NS node bench/dhcp-fuzz/responder.ts SERVER_IP
 */
import { createSocket } from 'node:dgram';
import { formatPacket } from '../../src/dhcp/codec/format.ts';
import { bootServer, messageType } from '../../src/dhcp/codec/options.ts';
import { MessageType, replyTo } from '../../src/dhcp/codec/packet.ts';
import { decodePacket } from '../../src/dhcp/codec/packet-decode.ts';
import { encodePacket } from '../../src/dhcp/codec/packet-encode.ts';
import { encodeSubOptions } from '../../src/dhcp/codec/sub-options.ts';
import { vlanDiscovery } from '../../src/dhcp/codec/vlan.ts';
import { encodeOptionValue } from '../../src/dhcp/configured-options.ts';
import { parseIpv4 } from '../../src/shared/ipv4.ts';

const server = process.argv[2] ?? '10.91.1.1';
const sid = parseIpv4(server);
if (!sid.ok) throw new Error(sid.error);
const subnetBroadcast = server.replace(/\.\d+$/, '.255');
const URL = `ftp://PlcmSpIp:PlcmSpIp@${server}/hq`;

const values = [
  { code: 54, type: 'ip', value: server },
  { code: 51, type: 'u32', value: 3600 },
  { code: 1, type: 'ip', value: '255.255.255.0' },
  { code: 3, type: 'ips', value: [server] },
  { code: 6, type: 'ips', value: [server] },
  { code: 15, type: 'string', value: 'phones.example' },
  { code: 2, type: 'i32', value: -21600 },
  { code: 42, type: 'ips', value: [server] },
] as const;
const options = new Map<number, Uint8Array>();
for (const v of values) {
  const r = encodeOptionValue(v);
  if (!r.ok) throw new Error(r.error);
  options.set(v.code, r.value);
}
const text = (s: string) => Uint8Array.from(Buffer.from(s, 'latin1'));
options.set(66, text(URL));
options.set(160, text(URL));
options.set(128, text(vlanDiscovery([200])));
const sub = encodeSubOptions([[1, text(server)]]);
if (sub.ok) options.set(43, sub.value);
void bootServer;

const sock = createSocket({ type: 'udp4', reuseAddr: true });
sock.on('message', (msg) => {
  const d = decodePacket(msg);
  if (!d.ok) {
    process.stdout.write(`${JSON.stringify({ error: d.error.code })}\n`);
    return;
  }
  const req = d.value;
  const mt = messageType(req);
  process.stdout.write(
    `${JSON.stringify({ type: mt, summary: formatPacket(req), hex: msg.toString('hex') })}\n`,
  );
  const replyType =
    mt === MessageType.DISCOVER
      ? MessageType.OFFER
      : mt === MessageType.REQUEST
        ? MessageType.ACK
        : undefined;
  if (replyType === undefined) return;
  const p = replyTo(req, replyType);
  p.yiaddr = 0x0a5b0139;
  p.siaddr = sid.value;
  for (const [k, v] of options) p.options.set(k, v);
  sock.send(encodePacket(p), 68, subnetBroadcast);
});
sock.bind(67, '0.0.0.0', () => {
  sock.setBroadcast(true);
  process.stdout.write(`${JSON.stringify({ ready: true })}\n`);
});
process.on('SIGTERM', () => sock.close(() => process.exit(0)));
