/** One-line packet summaries for logs (JSON-friendly object, or text). */
import { formatIpv4 } from '../../shared/ipv4.ts';
import { macColons } from '../../shared/mac.ts';
import { type DhcpPacket, macOf, messageTypeNameOf } from './packet.ts';

export interface PacketSummary {
  readonly type: string;
  readonly xid: string;
  readonly mac: string;
  readonly ciaddr: string;
  readonly yiaddr: string;
  readonly giaddr: string;
  readonly options: readonly number[];
}

/** Message type name ("DISCOVER", "BOOTP" without option 53, "TYPE-n" for others). */
export function messageTypeName(p: DhcpPacket): string {
  const v = p.options.get(53);
  if (v === undefined || v.length !== 1) return 'BOOTP';
  return messageTypeNameOf(v[0]!) ?? `TYPE-${v[0]}`;
}

export function packetSummary(p: DhcpPacket): PacketSummary {
  return {
    type: messageTypeName(p),
    xid: `0x${(p.xid >>> 0).toString(16).padStart(8, '0')}`,
    mac: macColons(macOf(p)),
    ciaddr: formatIpv4(p.ciaddr >>> 0),
    yiaddr: formatIpv4(p.yiaddr >>> 0),
    giaddr: formatIpv4(p.giaddr >>> 0),
    options: [...p.options.keys()],
  };
}

/** e.g. "DISCOVER xid=0x1a2b3c4d mac=00:04:f2:80:62:d6 ciaddr=0.0.0.0 yiaddr=0.0.0.0 giaddr=0.0.0.0 options=53,61,55,60" */
export function formatPacket(p: DhcpPacket): string {
  const s = packetSummary(p);
  return `${s.type} xid=${s.xid} mac=${s.mac} ciaddr=${s.ciaddr} yiaddr=${s.yiaddr} giaddr=${s.giaddr} options=${s.options.join(',')}`;
}
