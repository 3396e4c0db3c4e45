/**
 * The shape of the engine's answer (engine.ts) and the steps every answer is built from: silence, a reply
 * with the site's, classes' and phone's options in the phone's order, ACK and NAK; and whether an address
 * may go to the asking client. Plain functions of one request's facts (Asking), worked out once.
 */
import type { ApplianceModel, Phone, Site } from '../config/model.ts';
import type { Labels } from '../policy/labels.ts';
import type { Mac } from '../shared/mac.ts';
import { parameterRequestList } from './codec/options.ts';
import { type DhcpPacket, MessageType } from './codec/packet.ts';
import type { LeaseChange, LeaseView } from './leases/table.ts';
import { replyOptions } from './policy.ts';
import { buildReply, type Destination } from './reply.ts';

export interface EngineInput {
  readonly req: DhcpPacket;
  readonly model: ApplianceModel;
  /** Labels from option 60 (model, partNumber, vendorClass); mac and site are filled in here. */
  readonly labels: Labels;
  readonly now: number;
  readonly leases: LeaseView;
  readonly serverIp: number;
}

export interface Decision {
  readonly reply:
    | {
        readonly packet: DhcpPacket;
        readonly dest: Destination;
        readonly type: number;
      }
    | undefined;
  readonly changes: readonly LeaseChange[];
  /** Wait for the changes to be durable before sending (an ACK binding a lease). */
  readonly durable: boolean;
  readonly mac: Mac;
  readonly site: Site | undefined;
  readonly address: number | undefined;
  readonly labels: Labels;
  /** 'ok' or a stable code saying why nothing (or a NAK) was sent. */
  readonly result: string;
}

/** One request's facts, worked out once (no closures per request: this runs for every datagram). */
export interface Asking {
  readonly input: EngineInput;
  readonly req: DhcpPacket;
  readonly mac: Mac;
  readonly site: Site;
  readonly phone: Phone | undefined;
  readonly labels: Labels;
  readonly reserved: ReadonlySet<number>;
  readonly myReservation: number | undefined;
}

export const NO_CHANGES: readonly LeaseChange[] = Object.freeze([]);

export function silent(
  mac: Mac,
  site: Site | undefined,
  labels: Labels,
  result: string,
  changes: readonly LeaseChange[] = NO_CHANGES,
  address?: number,
): Decision {
  return {
    mac,
    site,
    labels,
    reply: undefined,
    changes,
    durable: false,
    address,
    result,
  };
}
export const quiet = (
  a: Asking,
  result: string,
  changes?: readonly LeaseChange[],
  address?: number,
): Decision => silent(a.mac, a.site, a.labels, result, changes, address);

const inPool = (site: Site, ip: number): boolean => {
  for (const p of site.pools) if (ip >= p.first && ip <= p.last) return true;
  return false;
};
export const excluded = (a: Asking, ip: number): boolean =>
  a.reserved.has(ip) && ip !== a.myReservation;

/** May this client have this address? */
export function acceptable(a: Asking, ip: number | undefined): ip is number {
  if (ip === undefined) return false;
  if (ip !== a.myReservation && (!inPool(a.site, ip) || excluded(a, ip)))
    return false;
  // Even a reservation waits for another phone's lease on it to end (a reservation added by hot reload).
  const o = a.input.leases.occupant(ip, a.input.now);
  return o === undefined || (o.kind !== 'declined' && o.mac === a.mac);
}

export function reply(
  a: Asking,
  t: number,
  parts: {
    yiaddr?: number;
    leaseSecs?: number;
    config: boolean;
    message?: string;
  },
  changes: readonly LeaseChange[],
  result: string,
  address?: number,
): Decision {
  const { model, serverIp } = a.input;
  const built = buildReply(a.req, {
    type: t,
    serverIp,
    yiaddr: parts.yiaddr,
    leaseSecs: parts.leaseSecs,
    options: parts.config
      ? replyOptions(
          model,
          a.site,
          a.labels,
          a.phone,
          parameterRequestList(a.req),
        )
      : undefined,
    message: parts.message,
  });
  let durable = false;
  for (const ch of changes) if (ch.kind === 'bind') durable = true;
  return {
    mac: a.mac,
    site: a.site,
    labels: a.labels,
    reply: { packet: built.packet, dest: built.dest, type: t },
    changes,
    durable,
    address,
    result,
  };
}
export const ack = (a: Asking, ip: number): Decision =>
  reply(
    a,
    MessageType.ACK,
    { yiaddr: ip, leaseSecs: a.site.leaseTime, config: true },
    [
      {
        kind: 'bind',
        ip,
        mac: a.mac,
        expires: a.input.now + a.site.leaseTime * 1000,
      },
    ],
    'ok',
    ip,
  );
export const nak = (a: Asking, why: string, ip?: number): Decision =>
  reply(
    a,
    MessageType.NAK,
    { config: false, message: why },
    NO_CHANGES,
    'DHCP_NAK',
    ip,
  );
