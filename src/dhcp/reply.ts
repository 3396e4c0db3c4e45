/**
 * Building replies: lease options, configuration options in the phone's order, and the destination
 * RFC 2131 §4.1 prescribes (relay → giaddr:67; else ciaddr:68 when set, except for a NAK; else
 * 255.255.255.255:68, since we cannot add the ARP entry a unicast to yiaddr would need).
 */
import { type DhcpPacket, MessageType, replyTo } from './codec/packet.ts';
import { u32 } from './codec/values.ts';

export interface Destination {
  readonly ip: number;
  readonly port: number;
}

export const BROADCAST = 0xffffffff;
export const SERVER_PORT = 67;
export const CLIENT_PORT = 68;
const BROADCAST_FLAG = 0x8000;

export function destinationFor(
  req: DhcpPacket,
  _reply: DhcpPacket,
  type: number,
): Destination {
  if (req.giaddr !== 0) return { ip: req.giaddr, port: SERVER_PORT };
  if (type !== MessageType.NAK && req.ciaddr !== 0)
    return { ip: req.ciaddr, port: CLIENT_PORT };
  return { ip: BROADCAST, port: CLIENT_PORT };
}

export const ipBytes = (n: number): Uint8Array =>
  Uint8Array.of(n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255);

const u32v = (n: number): Uint8Array => {
  const r = u32.encode(n);
  return r.ok ? r.value : new Uint8Array(4);
};

/**
 * The values every reply of a server and site repeats (server id; lease time, T1, T2), encoded once and
 * shared by the replies (option values are read-only): the last one asked for is kept.
 */
let serverIdOf: { ip: number; bytes: Uint8Array } = {
  ip: -1,
  bytes: new Uint8Array(4),
};
let leaseTimesOf = { secs: -1, bytes: [] as Uint8Array[] };
function serverIdBytes(ip: number): Uint8Array {
  if (serverIdOf.ip !== ip) serverIdOf = { ip, bytes: ipBytes(ip) };
  return serverIdOf.bytes;
}
function leaseTimeBytes(secs: number): Uint8Array[] {
  if (leaseTimesOf.secs !== secs)
    leaseTimesOf = {
      secs,
      bytes: [
        u32v(secs),
        u32v(Math.floor(secs / 2)),
        u32v(Math.floor((secs * 7) / 8)),
      ],
    };
  return leaseTimesOf.bytes;
}

export interface ReplyParts {
  readonly type: number;
  readonly serverIp: number;
  readonly yiaddr?: number | undefined;
  /** Lease seconds; adds 51, 58 (T1 = 1/2) and 59 (T2 = 7/8). */
  readonly leaseSecs?: number | undefined;
  readonly options?: readonly (readonly [number, Uint8Array])[] | undefined;
  readonly message?: string | undefined;
}

export function buildReply(
  req: DhcpPacket,
  parts: ReplyParts,
): { packet: DhcpPacket; dest: Destination } {
  const p = replyTo(req, parts.type);
  if (parts.yiaddr !== undefined) p.yiaddr = parts.yiaddr;
  p.options.set(54, serverIdBytes(parts.serverIp));
  if (parts.leaseSecs !== undefined) {
    const [lease, t1, t2] = leaseTimeBytes(parts.leaseSecs);
    p.options.set(51, lease!);
    p.options.set(58, t1!);
    p.options.set(59, t2!);
  }
  const configured = parts.options;
  if (configured)
    for (let i = 0; i < configured.length; i++) {
      const [code, v] = configured[i]!;
      if (!p.options.has(code)) p.options.set(code, v);
    }
  if (parts.message) p.options.set(56, new TextEncoder().encode(parts.message));
  // A relayed NAK must be broadcast by the relay: the client may hold a wrong address (RFC 2131 §4.3.2).
  if (parts.type === MessageType.NAK && req.giaddr !== 0)
    p.flags |= BROADCAST_FLAG;
  return { packet: p, dest: destinationFor(req, p, parts.type) };
}
