/**
 * What /metrics reads, and one scrape's worth of it. The services' counters come in as plain data through
 * the shapes below (main.ts passes e.g. `tftp: () => tftp.stats()`, and the type checker holds each service
 * to the fields a metric family is declared over), so admin/ imports no protocol module and renaming a
 * service's field cannot silently rename or drop a metric.
 */

import type { Inventory } from '../../inventory/inventory.ts';
import type { PhoneView } from '../../inventory/types.ts';
import type { LeaseQuery, PoolUsage } from '../../runtime/deps.ts';
import type { ConfigState } from '../../runtime/live-config.ts';
import type { TrafficCounters } from './traffic.ts';

export interface DhcpCounters {
  readonly malformed: number;
  readonly malformedByCode: Readonly<Record<string, number>>;
  readonly rateLimited: number;
  readonly requests: Readonly<Record<string, number>>;
  readonly replies: Readonly<Record<string, number>>;
  readonly results: Readonly<Record<string, number>>;
}

export interface TftpCounters {
  readonly active: number;
  readonly peakActive: number;
  readonly requests: number;
  readonly completed: number;
  readonly failed: number;
  readonly busy: number;
  readonly hostBusy: number;
  /** Requests that found every slot taken and waited (up to 250 ms) for one, and those waiting now. */
  readonly waited: number;
  readonly waiting: number;
  readonly malformed: number;
  readonly wrongTid: number;
  readonly duplicates: number;
  readonly unexpected: number;
  readonly retransmits: number;
  readonly bytesSent: number;
  readonly bytesReceived: number;
}

export interface FtpCounters {
  readonly connections: number;
  readonly loginFailures: number;
  readonly clientErrors: number;
}
export interface HttpCounters {
  readonly malformedRequests: number;
  readonly tlsFailures: number;
}
export interface SipCounters {
  readonly sent: number;
  readonly retransmits: number;
  readonly malformed: number;
}
export interface NtpCounters {
  readonly received: number;
  readonly answered: number;
  readonly dropped: Readonly<Record<string, number>>;
  readonly stratum: number;
}
export interface SyslogCounters {
  readonly attributed: { readonly prefix: number; readonly lease: number };
  readonly unattributed: number;
  readonly dropped: Readonly<Record<string, number>>;
  readonly store: { readonly dropped: Readonly<Record<string, number>> };
}

/** Each running service's counters; a service not running is left out. The SIP client's exist once it has started. */
export interface ServiceCounters {
  readonly dhcp?: (() => DhcpCounters) | undefined;
  readonly tftp?: (() => TftpCounters) | undefined;
  readonly ftp?: (() => FtpCounters) | undefined;
  readonly http?: (() => HttpCounters) | undefined;
  readonly sip?: (() => SipCounters | undefined) | undefined;
  readonly ntp?: (() => NtpCounters) | undefined;
  readonly syslog?: (() => SyslogCounters) | undefined;
}

export interface MetricsInputs {
  readonly inventory: Inventory;
  readonly traffic: TrafficCounters;
  readonly leases: LeaseQuery;
  readonly config: () => ConfigState;
  readonly services: ServiceCounters;
}

/** Everything one scrape reports, read once (the inventory list is not rebuilt for every family). */
export interface Scrape {
  readonly traffic: TrafficCounters;
  readonly dhcp: DhcpCounters | undefined;
  readonly tftp: TftpCounters | undefined;
  readonly ftp: FtpCounters | undefined;
  readonly http: HttpCounters | undefined;
  readonly sip: SipCounters | undefined;
  readonly ntp: NtpCounters | undefined;
  readonly syslog: SyslogCounters | undefined;
  readonly pools: readonly PoolUsage[];
  readonly config: ConfigState;
  readonly phones: readonly PhoneView[];
  readonly recentErrors: number;
  /** What the inventory counted instead of recording (events about non-phones, unknown phones evicted at the cap). */
  readonly noise: {
    readonly dhcp: number;
    readonly transfers: number;
    readonly evicted: number;
  };
}

/** A service whose counters cannot be read is left out of this scrape rather than failing it. */
const read = <T>(fn: (() => T | undefined) | undefined): T | undefined => {
  try {
    return fn?.();
  } catch {
    return undefined;
  }
};

export function gather(m: MetricsInputs, now: number): Scrape {
  const s = m.services;
  return {
    traffic: m.traffic,
    dhcp: read(s.dhcp),
    tftp: read(s.tftp),
    ftp: read(s.ftp),
    http: read(s.http),
    sip: read(s.sip),
    ntp: read(s.ntp),
    syslog: read(s.syslog),
    pools: m.leases.pools(now),
    config: m.config(),
    phones: m.inventory.list(),
    recentErrors: m.inventory.errors().length,
    noise: { ...m.inventory.noise() },
  };
}
