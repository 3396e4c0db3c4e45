/**
 * What every service of a running appliance receives from main.ts: the live model and tree (hot reload swaps
 * them), the logger, the event sink and the lease query. Services read model and tree per request.
 * The lease query is the one answer to "which phone holds this address" and "what is leased": the DHCP
 * service implements it over its live lease table; the file services, the inventory and the admin side ask it.
 */
import type { Logger } from 'pino';
import type { ApplianceModel } from '../config/model.ts';
import type { Mac } from '../shared/mac.ts';
import type { TreeRef } from '../tree/types.ts';
import type { EventSink } from './events.ts';

/** The current model; hot reload swaps it atomically. Services read it per request, never cache it. */
export interface ModelRef {
  current(): ApplianceModel;
}

export interface LeaseRow {
  readonly ip: string;
  readonly mac: string;
  readonly site: string | undefined;
  readonly expires: number;
  readonly active: boolean;
}
export interface PoolUsage {
  readonly site: string;
  readonly mode: string;
  readonly subnet: string;
  readonly size: number;
  readonly used: number;
  readonly declined: number;
  readonly free: number;
  readonly reserved: number;
}
/** Every bound lease (expired ones too, sorted by address) and the usage of each site's pools. */
export interface LeaseSnapshot {
  readonly leases: LeaseRow[];
  readonly pools: PoolUsage[];
  readonly badLines: number;
}

/** The DHCP leases, asked by address or as a whole. */
export interface LeaseQuery {
  /** The phone holding this address now (a live lease, or a recent DHCPINFORM); lets file services check an uploader's MAC. */
  macForAddress(ip: string): Mac | undefined;
  snapshot(now: number): LeaseSnapshot;
  /** Pool usage only (what /metrics needs), without listing the leases. */
  pools(now: number): PoolUsage[];
}

/** What a file service asks: who holds the address a request came from. */
export type LeaseLookup = Pick<LeaseQuery, 'macForAddress'>;

/** What every service receives; each also takes its own section of model.services. */
export interface ServiceDeps {
  readonly model: ModelRef;
  readonly tree: TreeRef;
  readonly log: Logger;
  readonly events: EventSink;
  readonly leases: LeaseLookup;
  /** Address to bind (undefined = all addresses of the namespace / container). */
  readonly bindAddress?: string | undefined;
}

/** A lease query that knows nothing (tests, or DHCP disabled). */
export const noLeases: LeaseQuery = {
  macForAddress: () => undefined,
  snapshot: () => ({ leases: [], pools: [], badLines: 0 }),
  pools: () => [],
};
