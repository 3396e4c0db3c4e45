/** Reads DHCP packets out of a classic pcap file (tcpdump -w, Ethernet link type), for tests. */
import { readFileSync } from 'node:fs';
import type { DhcpPacket } from '../../src/dhcp/codec/packet.ts';
import { decodePacket } from '../../src/dhcp/codec/packet-decode.ts';

export function dhcpPacketsFromPcap(path: string): DhcpPacket[] {
  const b = readFileSync(path);
  if (b.length < 24) return [];
  const le = b.readUInt32LE(0) === 0xa1b2c3d4;
  const u32 = (o: number): number =>
    le ? b.readUInt32LE(o) : b.readUInt32BE(o);
  if (u32(20) !== 1) throw new Error('pcap link type is not Ethernet');
  const out: DhcpPacket[] = [];
  for (let off = 24; off + 16 <= b.length; ) {
    const len = u32(off + 8);
    const start = off + 16;
    off = start + len;
    if (off > b.length) break; // torn last record
    const frame = b.subarray(start, start + len);
    if (frame.length < 14 + 20 + 8 || frame.readUInt16BE(12) !== 0x0800)
      continue;
    const ihl = (frame[14]! & 0x0f) * 4;
    if (frame[14 + 9] !== 17) continue;
    const d = decodePacket(frame.subarray(14 + ihl + 8));
    if (d.ok) out.push(d.value);
  }
  return out;
}
