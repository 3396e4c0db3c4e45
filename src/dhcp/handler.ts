/**
 * One datagram's way through the DHCP service: decode → rate limit → engine → lease store → reply, inside
 * one try/catch (a malformed datagram is dropped and counted). The reply is encoded at once, so nothing
 * of the request's bytes is kept once this returns (the socket reuses its receive buffers); an ACK that binds
 * a lease is sent only once the lease is on disk (group commit), so a crash never loses an acknowledged lease.
 */
import type { ApplianceModel } from '../config/model.ts';
import type { VendorLabels } from '../policy/vendor-class.ts';
import type { ModelRef } from '../runtime/deps.ts';
import {
  type DhcpEvent,
  dhcpLogLine,
  type EventSink,
} from '../runtime/events.ts';
import { ApplianceError } from '../shared/errors.ts';
import { formatIpv4, parseIpv4 } from '../shared/ipv4.ts';
import type { Logger } from '../shared/log.ts';
import type { Mac } from '../shared/mac.ts';
import { setNewest } from '../shared/newest-map.ts';
import type { BoundedRateLimiter } from '../shared/rate-limit.ts';
import { messageType } from './codec/options.ts';
import { MessageType, macOf } from './codec/packet.ts';
import { decodePacket } from './codec/packet-decode.ts';
import { encodePacket } from './codec/packet-encode.ts';
import { type Decision, decide, messageName } from './engine.ts';
import { labelsOf } from './labels.ts';
import type { LeaseStore } from './leases/store.ts';
import { bump, type DhcpStats } from './stats.ts';

const INFORMED_MAX = 65_536;
const INFORMED_TTL_MS = 24 * 3600_000;
/** Phones whose last logged address is remembered (a flood of random MACs forgets the oldest first). */
const SHOWN_MAX = 65_536;

export interface HandlerDeps {
  readonly model: ModelRef;
  /** The interface the socket is bound to; a reload naming another one stops answers (unless pinned). */
  readonly iface: string;
  readonly pinnedInterface: boolean;
  readonly log: Logger;
  readonly events: EventSink;
  readonly store: Pick<LeaseStore, 'table' | 'commitCb'>;
  readonly limiter: BoundedRateLimiter;
  readonly stats: DhcpStats;
  readonly now: () => number;
  /** Sends one encoded reply; errors are the socket's to count. */
  readonly send: (bytes: Uint8Array, ip: number, port: number) => void;
  /** True once the server is closing: a durable ACK is then not sent (the client retries). */
  readonly closed: () => boolean;
}

export interface DhcpHandler {
  onMessage(buf: Uint8Array): void;
  /** Successful exchanges since the last call (the info summary), reset by it. */
  takeSummary(): {
    offers: number;
    acks: number;
    informs: number;
    refused: number;
  };
  /** The MAC a DHCPINFORM named for this address within the last day (inform-only sites). */
  informedMac(ip: number, now: number): Mac | undefined;
}

export function createDhcpHandler(deps: HandlerDeps): DhcpHandler {
  const { log, stats, store, now } = deps;
  const serverIps = new WeakMap<ApplianceModel, number>();
  const serverIpOf = (m: ApplianceModel): number => {
    let n = serverIps.get(m);
    if (n === undefined) {
      const r = parseIpv4(m.address);
      if (!r.ok) throw new ApplianceError('DHCP_SERVER_ADDRESS', r.error);
      n = r.value;
      serverIps.set(m, n);
    }
    return n;
  };
  serverIpOf(deps.model.current());

  let lastDropLog = 0;
  const noteDrop = (what: string, detail: Record<string, unknown>): void => {
    const t = now();
    if (t - lastDropLog < 1000) return; // at most one line a second for drops
    lastDropLog = t;
    log.warn(
      {
        ...detail,
        code: what,
        malformed: stats.malformed,
        rateLimited: stats.rateLimited,
      },
      'dhcp datagram dropped',
    );
  };

  // Successful OFFERs and ACKs are the hot path: their log line is debug (the DhcpEvent is still emitted for
  // every message), except at info the ACK that gives a phone its first address or a new one (what an
  // engineer watching a lab needs; renewals show in the summary); refusals, NAKs and errors stay at info.
  const since = { offers: 0, acks: 0, informs: 0, refused: 0 };
  const shown = new Map<Mac, string | undefined>(); // the address last logged at info per MAC (bounded)
  const isNews = (mac: Mac, address: string | undefined): boolean => {
    if (shown.has(mac) && shown.get(mac) === address) return false;
    setNewest(shown, mac, address, SHOWN_MAX);
    return true;
  };
  const report = (
    type: number | undefined,
    d: Decision,
    vendor: VendorLabels,
    result: string,
    replied: boolean,
  ): void => {
    if (result !== 'ok') bump(stats.results, result);
    const replyType = replied ? d.reply?.type : undefined;
    const event: DhcpEvent = {
      type: 'dhcp',
      message: messageName(type),
      reply: replyType === undefined ? undefined : messageName(replyType),
      mac: d.mac,
      site: d.site?.name,
      address: d.address === undefined ? undefined : formatIpv4(d.address),
      labels: d.labels,
      vendor,
      result,
    };
    deps.events.emit(event);
    if (result === 'ok' && (replyType === 2 || replyType === 5)) {
      if (replyType === 2) since.offers++;
      else if (type === 8) since.informs++;
      else since.acks++;
      if (log.isLevelEnabled('debug')) log.debug(dhcpLogLine(event), 'dhcp');
      else if (
        replyType === 5 &&
        log.isLevelEnabled('info') &&
        isNews(event.mac, event.address)
      )
        log.info(dhcpLogLine(event), 'dhcp');
      return;
    }
    since.refused++;
    log.info(dhcpLogLine(event), 'dhcp');
  };

  const persistError = (e?: Error): void => {
    if (e)
      log.error(
        { code: 'DHCP_LEASE_PERSIST', err: e.message },
        'lease change not persisted',
      );
  };
  const handlerError = (e: unknown): void => {
    stats.handlerErrors++;
    log.error(
      { code: 'DHCP_HANDLER', err: (e as Error).stack },
      'dhcp handler error',
    );
  };

  /**
   * Phones at inform-only sites hold no lease of ours, but their DHCPINFORM names address and MAC: remember
   * that binding (bounded, oldest dropped first) so uploads from them are checked against their MAC too.
   */
  const informed = new Map<number, { mac: Mac; at: number }>();
  function noteInform(ip: number, mac: Mac, at: number): void {
    setNewest(informed, ip, { mac, at }, INFORMED_MAX);
  }

  const onMessage = (buf: Uint8Array): void => {
    stats.received++;
    // A reload that disables DHCP or names another interface stops answers at once (rebinding waits for a
    // restart): never answer where appliance.yaml no longer says we may.
    const live = deps.model.current();
    if (
      !live.services.dhcp.enabled ||
      (!deps.pinnedInterface && live.interface !== deps.iface)
    ) {
      bump(stats.results, 'DHCP_DISABLED');
      return;
    }
    try {
      const decoded = decodePacket(buf);
      if (!decoded.ok) {
        stats.malformed++;
        bump(stats.malformedByCode, decoded.error.code);
        noteDrop(decoded.error.code, { bytes: buf.length });
        return;
      }
      const req = decoded.value;
      if (req.op !== 1) {
        bump(stats.results, 'DHCP_NOT_REQUEST');
        return;
      }
      const t = now();
      const mac = macOf(req);
      if (!deps.limiter.allow(mac, t)) {
        stats.rateLimited++;
        noteDrop('DHCP_RATE_LIMITED', { mac });
        return;
      }
      const type = messageType(req);
      bump(stats.requests, messageName(type));
      const { labels, vendor } = labelsOf(req);
      const d = decide({
        req,
        model: live,
        labels,
        now: t,
        leases: store.table,
        serverIp: serverIpOf(live),
      });
      if (type === MessageType.INFORM && d.reply && req.ciaddr !== 0)
        noteInform(req.ciaddr, d.mac, t);
      const r = d.reply;
      if (r === undefined) {
        store.commitCb(d.changes, persistError);
        report(type, d, vendor, d.result, false);
        return;
      }
      const bytes = encodePacket(r.packet, { minSize: 300 });
      const sendIt = (): void => {
        deps.send(bytes, r.dest.ip, r.dest.port);
        bump(stats.replies, messageName(r.type));
      };
      if (!d.durable) {
        store.commitCb(d.changes, persistError);
        sendIt();
        report(type, d, vendor, d.result, true);
        return;
      }
      // The ACK goes out only once its lease is on disk (group commit).
      store.commitCb(d.changes, (e) => {
        try {
          if (!e) {
            if (!deps.closed()) sendIt(); // closing: the lease is durable, the socket is gone; the client retries
            report(type, d, vendor, d.result, true);
            return;
          }
          stats.persistFailures++;
          log.error(
            { code: 'DHCP_LEASE_PERSIST', err: e.message, mac },
            'lease not persisted: ACK withheld',
          );
          report(type, d, vendor, 'DHCP_LEASE_PERSIST', false);
        } catch (thrown) {
          handlerError(thrown);
        }
      });
    } catch (e) {
      handlerError(e);
    }
  };

  return {
    onMessage,
    takeSummary() {
      const s = { ...since };
      since.offers = since.acks = since.informs = since.refused = 0;
      return s;
    },
    informedMac(ip, t) {
      const i = informed.get(ip);
      return i && t - i.at < INFORMED_TTL_MS ? i.mac : undefined;
    },
  };
}
