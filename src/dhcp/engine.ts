/**
 * The DHCP engine: a pure function from (request, labels, now, lease view) to a decision: a reply and its
 * destination, or silence; plus the lease changes to apply. No sockets, no clock, no disk.
 * RFC 2131 §4.3: DISCOVER → OFFER; REQUEST in SELECTING / INIT-REBOOT / RENEWING / REBINDING → ACK or NAK
 * (silence when option 54 names another server); DECLINE quarantines; RELEASE frees; INFORM → ACK with
 * configuration only (§4.3.5: no yiaddr, no lease times). Inform-only sites answer only INFORM.
 */
import type { ApplianceModel, Site } from '../config/model.ts';
import { type Labels, requestLabels } from '../policy/labels.ts';
import { inCidr } from '../shared/ipv4.ts';
import type { Mac } from '../shared/mac.ts';
import {
  messageType,
  parameterRequestList,
  requestedIp,
  serverId,
} from './codec/options.ts';
import {
  type DhcpPacket,
  MessageType,
  macOf,
  messageTypeNameOf,
} from './codec/packet.ts';
import type { LeaseChange, LeaseView } from './leases/table.ts';
import { compile, replyOptions } from './policy.ts';
import { buildReply, type Destination } from './reply.ts';
import { siteFor } from './site.ts';

export const OFFER_HOLD_MS = 30_000;
export const DECLINE_QUARANTINE_MS = 10 * 60_000;

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

export const messageName = (t: number | undefined): string =>
  t === undefined ? 'NONE' : (messageTypeNameOf(t) ?? `TYPE${t}`);

export function decide(input: EngineInput): Decision {
  const { req, model, now, leases, serverIp } = input;
  const mac = macOf(req);
  const type = messageType(req);
  const site = siteFor(model, req.giaddr, serverIp);
  const phone = model.phones.get(mac);
  const policyLabels = requestLabels(model, {
    ...input.labels,
    mac,
    site: site?.name,
  });
  const base = { mac, site, labels: policyLabels };
  const silent = (
    result: string,
    changes: LeaseChange[] = [],
    address?: number,
  ): Decision => ({
    ...base,
    reply: undefined,
    changes,
    durable: false,
    address,
    result,
  });
  if (req.op !== 1) return silent('DHCP_NOT_REQUEST');
  if (!site) return silent('DHCP_NO_SITE');

  const c = compile(model);
  const reservation = c.reservation.get(mac);
  const myReservation =
    reservation !== undefined && inCidr(site.subnet, reservation)
      ? reservation
      : undefined;
  const excluded = (ip: number): boolean =>
    c.reserved.has(ip) && ip !== myReservation;
  const inPool = (ip: number): boolean =>
    site.pools.some((p) => ip >= p.first && ip <= p.last);
  /** May this client have this address? */
  const acceptable = (ip: number): boolean => {
    if (ip !== myReservation && (!inPool(ip) || excluded(ip))) return false;
    // Even a reservation waits for another phone's lease on it to end (a reservation added by hot reload).
    const o = leases.occupant(ip, now);
    return o === undefined || (o.kind !== 'declined' && o.mac === mac);
  };
  const configOptions = (): readonly [number, Uint8Array][] =>
    replyOptions(model, site, policyLabels, phone, parameterRequestList(req));
  const reply = (
    t: number,
    parts: {
      yiaddr?: number;
      leaseSecs?: number;
      config?: boolean;
      message?: string;
    },
    changes: LeaseChange[],
    result: string,
    address?: number,
  ): Decision => {
    const built = buildReply(req, {
      type: t,
      serverIp,
      yiaddr: parts.yiaddr,
      leaseSecs: parts.leaseSecs,
      options: parts.config ? configOptions() : undefined,
      message: parts.message,
    });
    return {
      ...base,
      reply: { ...built, type: t },
      changes,
      durable: changes.some((ch) => ch.kind === 'bind'),
      address,
      result,
    };
  };
  const ack = (ip: number): Decision =>
    reply(
      MessageType.ACK,
      { yiaddr: ip, leaseSecs: site.leaseTime, config: true },
      [{ kind: 'bind', ip, mac, expires: now + site.leaseTime * 1000 }],
      'ok',
      ip,
    );
  const nak = (why: string, ip?: number): Decision =>
    reply(MessageType.NAK, { message: why }, [], 'DHCP_NAK', ip);

  if (type === MessageType.INFORM)
    return reply(
      MessageType.ACK,
      { config: true },
      [],
      'ok',
      req.ciaddr || undefined,
    );
  if (site.mode === 'inform-only') return silent('DHCP_INFORM_ONLY');
  const sid = serverId(req);
  const foreign = sid !== undefined && sid !== serverIp;

  switch (type) {
    case MessageType.DISCOVER: {
      const current = leases.leaseOf(mac)?.ip;
      const held = leases.holdOf(mac, now);
      const asked = requestedIp(req);
      const candidates = [myReservation, held, current, asked];
      let ip = candidates.find((a) => a !== undefined && acceptable(a));
      ip ??= leases.findFree(site.pools, now, excluded);
      if (ip === undefined) return silent('DHCP_POOL_EXHAUSTED');
      return reply(
        MessageType.OFFER,
        { yiaddr: ip, leaseSecs: site.leaseTime, config: true },
        [{ kind: 'hold', ip, mac, until: now + OFFER_HOLD_MS }],
        'ok',
        ip,
      );
    }
    case MessageType.REQUEST: {
      if (foreign) return silent('DHCP_OTHER_SERVER');
      const asked = requestedIp(req);
      if (sid !== undefined) {
        // SELECTING: the client chose our offer.
        const ip = asked ?? req.ciaddr;
        if (ip === 0) return silent('DHCP_BAD_REQUEST');
        return acceptable(ip) ? ack(ip) : nak('address not available', ip);
      }
      if (asked !== undefined && req.ciaddr === 0) {
        // INIT-REBOOT: verify the remembered address.
        if (!inCidr(site.subnet, asked)) return nak('wrong network', asked);
        const mine = leases.leaseOf(mac)?.ip ?? myReservation;
        // RFC 2131 §4.3.2: with no record of this client the server MUST remain silent.
        if (mine === undefined) return silent('DHCP_NO_RECORD', [], asked);
        if (mine !== asked) return nak('not your address', asked);
        return acceptable(asked)
          ? ack(asked)
          : nak('address not available', asked);
      }
      if (req.ciaddr !== 0) {
        // RENEWING (unicast) or REBINDING (broadcast): extend if the address is still this client's.
        const ip = req.ciaddr;
        return acceptable(ip) ? ack(ip) : nak('lease not renewable', ip);
      }
      return silent('DHCP_BAD_REQUEST');
    }
    case MessageType.DECLINE: {
      if (foreign) return silent('DHCP_OTHER_SERVER');
      const ip = requestedIp(req);
      if (ip === undefined || !inCidr(site.subnet, ip))
        return silent('DHCP_BAD_DECLINE');
      // Only the phone the address was offered or leased to may decline it (no quarantining a pool by DECLINE).
      const o = leases.occupant(ip, now);
      if (o === undefined || o.kind === 'declined' || o.mac !== mac)
        return silent('DHCP_BAD_DECLINE', [], ip);
      return silent(
        'ok',
        [{ kind: 'decline', ip, until: now + DECLINE_QUARANTINE_MS }],
        ip,
      );
    }
    case MessageType.RELEASE: {
      if (foreign) return silent('DHCP_OTHER_SERVER');
      if (req.ciaddr === 0) return silent('DHCP_BAD_RELEASE');
      return silent(
        'ok',
        [{ kind: 'release', ip: req.ciaddr, mac }],
        req.ciaddr,
      );
    }
    default:
      return silent('DHCP_UNKNOWN_MESSAGE');
  }
}
