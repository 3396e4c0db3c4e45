/**
 * One phone's DHCP conversation over the shared mux: DISCOVER → OFFER → REQUEST → ACK (broadcast flag set,
 * from UDP 68), DHCPINFORM for a boot server, renewal (unicast REQUEST with ciaddr), with retransmission
 * backoff as RFC 2131 §4.1 describes (doubling, with jitter, up to a cap).
 */

import {
  leaseTime,
  messageType,
  serverId,
} from '../../src/dhcp/codec/options.ts';
import {
  type DhcpPacket,
  emptyPacket,
  MessageType,
} from '../../src/dhcp/codec/packet.ts';
import { ipNumber } from '../../src/dhcp/codec/values.ts';
import { formatIpv4, parseIpv4 } from '../../src/shared/ipv4.ts';
import { err, ok, type Result } from '../../src/shared/result.ts';
import type { DhcpMux } from './dhcp-mux.ts';
import { type SimError, simError } from './errors.ts';

export interface DhcpSettings {
  readonly vendorClass: Uint8Array;
  readonly parameterRequestList: readonly number[];
  readonly initialTimeoutMs: number;
  readonly maxTimeoutMs: number;
  /** Transmissions of one message before giving up. */
  readonly attempts: number;
}

export interface Lease {
  readonly address: string;
  readonly serverId: string;
  readonly leaseTime: number | undefined;
  readonly options: ReadonlyMap<number, Uint8Array>;
}

export interface DhcpOutcome<T> {
  readonly value: T;
  /** Retransmissions plus restarts after a NAK. */
  readonly retries: number;
}

const macBytes = (mac: string): Uint8Array => {
  const b = new Uint8Array(16);
  for (let i = 0; i < 6; i++) b[i] = parseInt(mac.slice(i * 2, i * 2 + 2), 16);
  return b;
};

const ipNum = (s: string): number => {
  const r = parseIpv4(s);
  return r.ok ? r.value : 0;
};

function request(
  mac: string,
  xid: number,
  type: number,
  s: DhcpSettings,
): DhcpPacket {
  const p = emptyPacket(1);
  p.xid = xid;
  p.chaddr = macBytes(mac);
  p.flags = 0x8000;
  p.options.set(53, Uint8Array.of(type));
  p.options.set(57, Uint8Array.of(0x05, 0xdc)); // 1500
  p.options.set(60, s.vendorClass);
  p.options.set(55, Uint8Array.from(s.parameterRequestList));
  return p;
}

export const randomXid = (): number => (Math.random() * 0x100000000) >>> 0;

/** Sends p, waits for a reply of one of the given types; retransmits with backoff. */
async function exchange(
  mux: DhcpMux,
  p: DhcpPacket,
  mac: string,
  types: readonly number[],
  s: DhcpSettings,
  to?: string,
  accept: (reply: DhcpPacket) => boolean = () => true,
): Promise<{ reply: DhcpPacket | undefined; retries: number }> {
  let timeout = s.initialTimeoutMs;
  for (let attempt = 0; attempt < s.attempts; attempt++) {
    p.secs = Math.min(0xffff, attempt * Math.round(timeout / 1000));
    mux.send(p, to);
    const jitter = timeout * (0.75 + Math.random() * 0.5);
    const reply = await mux.wait(
      p.xid,
      mac,
      jitter,
      (r) => types.includes(messageType(r) ?? 0) && accept(r),
    );
    if (reply) return { reply, retries: attempt };
    timeout = Math.min(timeout * 2, s.maxTimeoutMs);
  }
  return { reply: undefined, retries: s.attempts - 1 };
}

function toLease(ack: DhcpPacket, fallbackServer: string): Lease {
  const sid = serverId(ack);
  return {
    address: formatIpv4(ack.yiaddr),
    serverId: sid !== undefined ? formatIpv4(sid) : fallbackServer,
    leaseTime: leaseTime(ack),
    options: ack.options,
  };
}

/** DISCOVER/OFFER/REQUEST/ACK; a NAK restarts from DISCOVER (up to 3 times). */
export async function acquire(
  mux: DhcpMux,
  mac: string,
  s: DhcpSettings,
): Promise<Result<DhcpOutcome<Lease>, SimError>> {
  let retries = 0;
  for (let round = 0; round < 4; round++) {
    const xid = randomXid();
    const discover = request(mac, xid, MessageType.DISCOVER, s);
    const o = await exchange(mux, discover, mac, [MessageType.OFFER], s);
    retries += o.retries;
    if (!o.reply)
      return err(
        simError(
          'SIM_DHCP_TIMEOUT',
          `no DHCPOFFER after ${s.attempts} DISCOVERs`,
        ),
      );
    const sid = serverId(o.reply);
    if (sid === undefined)
      return err(
        simError('SIM_DHCP_TIMEOUT', 'DHCPOFFER without a server identifier'),
      );
    const req = request(mac, xid, MessageType.REQUEST, s);
    const requested = ipNumber.encode(o.reply.yiaddr);
    if (!requested.ok)
      return err(
        simError(
          'SIM_PROTOCOL',
          `DHCPOFFER with a bad yiaddr: ${requested.error}`,
        ),
      );
    req.options.set(50, requested.value);
    req.options.set(54, o.reply.options.get(54)!);
    const a = await exchange(
      mux,
      req,
      mac,
      [MessageType.ACK, MessageType.NAK],
      s,
    );
    retries += a.retries;
    if (!a.reply)
      return err(
        simError('SIM_DHCP_TIMEOUT', `no DHCPACK after ${s.attempts} REQUESTs`),
      );
    if (messageType(a.reply) === MessageType.NAK) {
      // Restart, after a random pause: phones NAKed together (two offered the same address) must not retry in lock-step.
      retries++;
      await new Promise((r) =>
        setTimeout(r, Math.random() * s.initialTimeoutMs),
      );
      continue;
    }
    return ok({ value: toLease(a.reply, formatIpv4(sid)), retries });
  }
  return err(simError('SIM_DHCP_NAK', 'DHCPNAK on every attempt'));
}

/**
 * DHCPINFORM from the leased address (seed 001 stage 2): "a server other than the main DHCP server may respond
 * with the provisioning server address", so only an ACK that `useful` accepts (one naming a boot server) counts.
 */
export async function inform(
  mux: DhcpMux,
  mac: string,
  address: string,
  s: DhcpSettings,
  useful: (options: ReadonlyMap<number, Uint8Array>) => boolean = () => true,
): Promise<Result<DhcpOutcome<ReadonlyMap<number, Uint8Array>>, SimError>> {
  const p = request(mac, randomXid(), MessageType.INFORM, s);
  p.ciaddr = ipNum(address);
  const r = await exchange(
    mux,
    p,
    mac,
    [MessageType.ACK],
    s,
    undefined,
    (reply) => useful(reply.options),
  );
  if (!r.reply)
    return err(
      simError(
        'SIM_DHCP_TIMEOUT',
        `no answer to DHCPINFORM after ${s.attempts} tries`,
      ),
    );
  return ok({ value: r.reply.options, retries: r.retries });
}

/** Renewal (RENEWING state): REQUEST with ciaddr, unicast to the server that granted the lease. */
export async function renew(
  mux: DhcpMux,
  mac: string,
  lease: Lease,
  s: DhcpSettings,
): Promise<Result<DhcpOutcome<Lease>, SimError>> {
  const p = request(mac, randomXid(), MessageType.REQUEST, s);
  p.ciaddr = ipNum(lease.address);
  p.flags = 0;
  const r = await exchange(
    mux,
    p,
    mac,
    [MessageType.ACK, MessageType.NAK],
    s,
    lease.serverId,
  );
  if (!r.reply)
    return err(
      simError(
        'SIM_DHCP_TIMEOUT',
        `no answer to the renewing REQUEST after ${s.attempts} tries`,
      ),
    );
  if (messageType(r.reply) === MessageType.NAK)
    return err(simError('SIM_DHCP_NAK', 'renewal refused with DHCPNAK'));
  return ok({ value: toLease(r.reply, lease.serverId), retries: r.retries });
}
