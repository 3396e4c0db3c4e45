/**
 * Request packets shaped like the ones real clients send, for unit tests, golden replies and fuzz seeds.
 * Hand-built, then checked against real captures (src/dhcp/testdata/captured-*.hex, from bench/dhcp-fuzz/capture-seeds.ts):
 *  - ISC dhclient 4.4 (Debian's default dhclient.conf request list; hostname; padded to 300 bytes, BOOTP_MIN_LEN);
 *  - BusyBox udhcpc 1.35 (option order, max size 576, vendor class, client id 01+MAC as captured from Debian's udhcpc);
 *  - a Polycom SoundPoint IP 450 (its Fingerbank option 55 list, binary option 60 per the admin guide).
 */
import {
  type DhcpPacket,
  emptyPacket,
  MessageType,
} from '../../src/dhcp/codec/packet.ts';
import { encodePacket } from '../../src/dhcp/codec/packet-encode.ts';
import { encodePolycomVendorClass } from '../../src/policy/vendor-class.ts';

const bytes = (...b: number[]): Uint8Array => Uint8Array.from(b);
const text = (s: string): Uint8Array =>
  Uint8Array.from(Buffer.from(s, 'latin1'));

function base(xid: number, mac: readonly number[]): DhcpPacket {
  const p = emptyPacket(1);
  p.xid = xid;
  p.chaddr.set(mac);
  return p;
}

export function dhclientDiscover(): DhcpPacket {
  const p = base(0x5e1f0a3c, [0x52, 0x54, 0x00, 0x12, 0x34, 0x56]);
  p.secs = 3;
  p.options.set(53, bytes(MessageType.DISCOVER));
  p.options.set(50, bytes(10, 91, 1, 57));
  p.options.set(12, text('labhost'));
  p.options.set(55, bytes(1, 28, 2, 3, 15, 6, 119, 12, 44, 47, 26, 121, 42));
  return p;
}

export function udhcpcDiscover(): DhcpPacket {
  const mac = [0x02, 0x42, 0xac, 0x11, 0x00, 0x02];
  const p = base(0x9a0b1c2d, mac);
  p.options.set(53, bytes(MessageType.DISCOVER));
  p.options.set(57, bytes(0x02, 0x40));
  p.options.set(55, bytes(1, 3, 6, 12, 15, 28, 42));
  p.options.set(60, text('udhcp 1.35.0'));
  p.options.set(61, bytes(1, ...mac));
  return p;
}

export function polycomDiscover(): DhcpPacket {
  const p = base(0x0004f2aa, [0x00, 0x04, 0xf2, 0x80, 0x62, 0xd6]);
  p.flags = 0x8000;
  p.options.set(53, bytes(MessageType.DISCOVER));
  p.options.set(61, bytes(1, 0x00, 0x04, 0xf2, 0x80, 0x62, 0xd6));
  p.options.set(
    55,
    bytes(1, 28, 160, 66, 3, 4, 42, 2, 6, 15, 43, 128, 144, 157, 191),
  );
  p.options.set(
    60,
    encodePolycomVendorClass({
      model: 'SoundPointIP-SPIP_450',
      partNumber: '2345-12450-001,1',
      appVersion: 'SIP/3.2.7.0198/01-Mar-12 12:48',
      bootVersion: 'BR/4.2.2.0005/22-Mar-10 14:02',
    }),
  );
  p.options.set(57, bytes(0x05, 0xdc));
  return p;
}

/** A relayed Polycom INFORM (ciaddr set, option 82 from the relay), for INFORM-ACK goldens. */
export function polycomInform(): DhcpPacket {
  const p = polycomDiscover();
  p.xid = 0x0004f2ab;
  p.flags = 0;
  p.ciaddr = (10 << 24) | (91 << 16) | (1 << 8) | 57;
  p.giaddr = ((10 << 24) | (91 << 16) | (1 << 8) | 1) >>> 0;
  p.hops = 1;
  p.options.set(53, bytes(MessageType.INFORM));
  p.options.set(
    82,
    bytes(1, 4, 0, 0, 0, 7, 2, 6, 0x00, 0x11, 0x22, 0x33, 0x44, 0x55),
  );
  return p;
}

/** The seeds as wire bytes (name → packet) for the fuzz test and benchmark. */
export function seedPackets(): Array<[string, Buffer]> {
  return [
    ['dhclient-discover', encodePacket(dhclientDiscover())],
    ['udhcpc-discover', encodePacket(udhcpcDiscover())],
    ['polycom-discover', encodePacket(polycomDiscover())],
    ['polycom-inform', encodePacket(polycomInform())],
  ];
}
