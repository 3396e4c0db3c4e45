/**
 * What every service of a running appliance receives from main.ts: the live model and tree (hot reload swaps
 * them), the logger, the event sink and the lease query. Services read model and tree per request.
 */
import type { Logger } from 'pino';
import type { ApplianceModel } from '../config/model.ts';
import type { TreeRef } from '../tree/types.ts';
import type { EventSink } from './events.ts';
import type { Mac } from '../shared/mac.ts';

/** The current model; hot reload swaps it atomically. Services read it per request, never cache it. */
export interface ModelRef {
  current(): ApplianceModel;
}

/** Which phone holds an address, from the DHCP leases: lets file services check an uploader's MAC. */
export interface LeaseLookup {
  macForAddress(ip: string): Mac | undefined;
}

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

/** A lease lookup that knows nothing (tests, or DHCP disabled). */
export const noLeases: LeaseLookup = { macForAddress: () => undefined };
