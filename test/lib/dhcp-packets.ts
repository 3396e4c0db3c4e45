/** Request builders for engine and server tests. */
import { type DhcpPacket, emptyPacket } from '../../src/dhcp/codec/packet.ts';
import { parseIpv4 } from '../../src/shared/ipv4.ts';

export const ipn = (s: string): number => {
  const r = parseIpv4(s);
  if (!r.ok) throw new Error(r.error);
  return r.value;
};
const ipb = (s: string): Uint8Array => {
  const n = ipn(s);
  return Uint8Array.of(n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255);
};

export interface RequestSpec {
  readonly mac?: string; // 12 hex
  readonly xid?: number;
  readonly ciaddr?: string;
  readonly giaddr?: string;
  readonly requested?: string;
  readonly serverId?: string;
  readonly prl?: readonly number[];
  readonly vendorClass?: string | Uint8Array;
  readonly broadcast?: boolean;
}

export function request(type: number, spec: RequestSpec = {}): DhcpPacket {
  const p = emptyPacket(1);
  const mac = spec.mac ?? '0004f2aabbcc';
  for (let i = 0; i < 6; i++)
    p.chaddr[i] = parseInt(mac.slice(i * 2, i * 2 + 2), 16);
  p.xid = spec.xid ?? 0x1234;
  if (spec.ciaddr) p.ciaddr = ipn(spec.ciaddr);
  if (spec.giaddr) {
    p.giaddr = ipn(spec.giaddr);
    p.hops = 1;
  }
  if (spec.broadcast) p.flags = 0x8000;
  p.options.set(53, Uint8Array.of(type));
  if (spec.requested) p.options.set(50, ipb(spec.requested));
  if (spec.serverId) p.options.set(54, ipb(spec.serverId));
  if (spec.prl) p.options.set(55, Uint8Array.from(spec.prl));
  if (spec.vendorClass !== undefined)
    p.options.set(
      60,
      typeof spec.vendorClass === 'string'
        ? new TextEncoder().encode(spec.vendorClass)
        : spec.vendorClass,
    );
  return p;
}

/** Polycom's binary option 60 from the admin guide (facts §1.1), without the trailing 0xFF. */
export const SPIP601_VENDOR_CLASS = Uint8Array.from(
  Buffer.from(
    '0000363d6f' +
      '0107506f6c79636f6d' +
      '0215536f756e64506f696e7449502d535049505f363031' +
      '031032333435' +
      '2d31313630352d3030312c32' +
      '041c5349502f5469702e585858582f30382d4a756e2d30372031303a3434' +
      '051d42522f332e312e302e585858582f32382d4170722d30352031333a3330',
    'hex',
  ),
);
