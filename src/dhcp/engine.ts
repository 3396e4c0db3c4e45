/**
 * The DHCP engine: a pure function from (request, labels, now, lease view) to a decision: a reply and its
 * destination, or silence; plus the lease changes to apply. No sockets, no clock, no disk.
 * RFC 2131 §4.3: DISCOVER → OFFER; REQUEST in SELECTING / INIT-REBOOT / RENEWING / REBINDING → ACK or NAK
 * (silence when option 54 names another server); DECLINE quarantines; RELEASE frees; INFORM → ACK with
 * configuration only (§4.3.5: no yiaddr, no lease times). Inform-only sites answer only INFORM.
 */
import { requestLabels } from '../policy/labels.ts';
import { inCidr } from '../shared/ipv4.ts';
import { messageType, requestedIp, serverId } from './codec/options.ts';
import { MessageType, macOf, messageTypeNameOf } from './codec/packet.ts';
import {
  type Asking,
  acceptable,
  ack,
  type Decision,
  type EngineInput,
  excluded,
  NO_CHANGES,
  nak,
  quiet,
  reply,
  silent,
} from './decision.ts';
import { compile } from './policy.ts';
import { siteFor } from './site.ts';

export type { Decision, EngineInput };

export const OFFER_HOLD_MS = 30_000;
export const DECLINE_QUARANTINE_MS = 10 * 60_000;

export const messageName = (t: number | undefined): string =>
  t === undefined ? 'NONE' : (messageTypeNameOf(t) ?? `TYPE${t}`);

function discover(a: Asking): Decision {
  const { leases, now } = a.input;
  const { mac } = a;
  let ip: number | undefined = a.myReservation;
  if (!acceptable(a, ip)) ip = leases.holdOf(mac, now);
  if (!acceptable(a, ip)) ip = leases.leaseOf(mac)?.ip;
  if (!acceptable(a, ip)) ip = requestedIp(a.req);
  if (!acceptable(a, ip))
    ip = leases.findFree(a.site.pools, now, (x) => excluded(a, x));
  if (ip === undefined) return quiet(a, 'DHCP_POOL_EXHAUSTED');
  return reply(
    a,
    MessageType.OFFER,
    { yiaddr: ip, leaseSecs: a.site.leaseTime, config: true },
    [{ kind: 'hold', ip, mac, until: now + OFFER_HOLD_MS }],
    'ok',
    ip,
  );
}

function request(a: Asking, sid: number | undefined): Decision {
  const { req } = a;
  const asked = requestedIp(req);
  if (sid !== undefined) {
    // SELECTING: the client chose our offer.
    const ip = asked ?? req.ciaddr;
    if (ip === 0) return quiet(a, 'DHCP_BAD_REQUEST');
    return acceptable(a, ip) ? ack(a, ip) : nak(a, 'address not available', ip);
  }
  if (asked !== undefined && req.ciaddr === 0) {
    // INIT-REBOOT: verify the remembered address.
    if (!inCidr(a.site.subnet, asked)) return nak(a, 'wrong network', asked);
    const mine = a.input.leases.leaseOf(a.mac)?.ip ?? a.myReservation;
    // RFC 2131 §4.3.2: with no record of this client the server MUST remain silent.
    if (mine === undefined)
      return quiet(a, 'DHCP_NO_RECORD', NO_CHANGES, asked);
    if (mine !== asked) return nak(a, 'not your address', asked);
    return acceptable(a, asked)
      ? ack(a, asked)
      : nak(a, 'address not available', asked);
  }
  if (req.ciaddr !== 0) {
    // RENEWING (unicast) or REBINDING (broadcast): extend if the address is still this client's.
    const ip = req.ciaddr;
    return acceptable(a, ip) ? ack(a, ip) : nak(a, 'lease not renewable', ip);
  }
  return quiet(a, 'DHCP_BAD_REQUEST');
}

function decline(a: Asking): Decision {
  const ip = requestedIp(a.req);
  if (ip === undefined || !inCidr(a.site.subnet, ip))
    return quiet(a, 'DHCP_BAD_DECLINE');
  // Only the phone the address was offered or leased to may decline it (no quarantining a pool by DECLINE).
  const o = a.input.leases.occupant(ip, a.input.now);
  if (o === undefined || o.kind === 'declined' || o.mac !== a.mac)
    return quiet(a, 'DHCP_BAD_DECLINE', NO_CHANGES, ip);
  return quiet(
    a,
    'ok',
    [{ kind: 'decline', ip, until: a.input.now + DECLINE_QUARANTINE_MS }],
    ip,
  );
}

export function decide(input: EngineInput): Decision {
  const { req, model, serverIp } = input;
  const mac = macOf(req);
  const type = messageType(req);
  const site = siteFor(model, req.giaddr, serverIp);
  const labels = requestLabels(model, {
    ...input.labels,
    mac,
    site: site?.name,
  });
  if (req.op !== 1) return silent(mac, site, labels, 'DHCP_NOT_REQUEST');
  if (!site) return silent(mac, site, labels, 'DHCP_NO_SITE');

  const c = compile(model);
  const reservation = c.reservation.get(mac);
  const a: Asking = {
    input,
    req,
    mac,
    site,
    phone: model.phones.get(mac),
    labels,
    reserved: c.reserved,
    myReservation:
      reservation !== undefined && inCidr(site.subnet, reservation)
        ? reservation
        : undefined,
  };

  if (type === MessageType.INFORM)
    return reply(
      a,
      MessageType.ACK,
      { config: true },
      NO_CHANGES,
      'ok',
      req.ciaddr || undefined,
    );
  if (site.mode === 'inform-only') return quiet(a, 'DHCP_INFORM_ONLY');
  const sid = serverId(req);
  const foreign = sid !== undefined && sid !== serverIp;
  switch (type) {
    case MessageType.DISCOVER:
      return discover(a);
    case MessageType.REQUEST:
      return foreign ? quiet(a, 'DHCP_OTHER_SERVER') : request(a, sid);
    case MessageType.DECLINE:
      return foreign ? quiet(a, 'DHCP_OTHER_SERVER') : decline(a);
    case MessageType.RELEASE:
      if (foreign) return quiet(a, 'DHCP_OTHER_SERVER');
      if (req.ciaddr === 0) return quiet(a, 'DHCP_BAD_RELEASE');
      return quiet(
        a,
        'ok',
        [{ kind: 'release', ip: req.ciaddr, mac }],
        req.ciaddr,
      );
    default:
      return quiet(a, 'DHCP_UNKNOWN_MESSAGE');
  }
}
