/**
 * Events the front-ends emit; the operations layer (inventory, metrics) subscribes.
 * Until then they are logged as one JSON line each.
 */

import type { Labels } from '../policy/labels.ts';
import type { VendorLabels } from '../policy/vendor-class.ts';
import type { Mac } from '../shared/mac.ts';
import type { SyslogEvent } from './syslog-event.ts';

export interface TransferEvent {
  readonly type: 'transfer';
  readonly protocol: 'tftp' | 'ftp' | 'http' | 'https';
  readonly direction: 'download' | 'upload';
  readonly peer: string;
  readonly mac: Mac | undefined;
  readonly path: string;
  readonly bytes: number;
  readonly durationMs: number;
  /** 'ok' or a stable error code (TREE_NOT_FOUND, TFTP_TIMEOUT, …). */
  readonly result: string;
  readonly userAgent?: string | undefined;
}

export interface DhcpEvent {
  readonly type: 'dhcp';
  readonly message: string; // DISCOVER, REQUEST, INFORM …
  readonly reply: string | undefined; // OFFER, ACK, NAK, or undefined when silent
  readonly mac: Mac;
  readonly site: string | undefined;
  readonly address: string | undefined;
  /** The request's labels as the policy saw them (option 60, plus mac, site, and model / family / part from appliance.yaml). */
  readonly labels: Labels;
  /** Option 60 as decoded (policy/vendor-class.ts): model, partNumber, hardwareRevision, appVersion, bootVersion … */
  readonly vendor: VendorLabels;
  readonly result: string;
}

export type ApplianceEvent = TransferEvent | DhcpEvent | SyslogEvent;

/** A DhcpEvent as logged: without the decoded option 60 (labels.vendorClass already carries its text). */
export const dhcpLogLine = (
  e: DhcpEvent,
): Omit<DhcpEvent, 'vendor'> & { vendor: undefined } => ({
  ...e,
  vendor: undefined,
});

export interface EventSink {
  emit(event: ApplianceEvent): void;
}

/** A sink fanning out to subscribers; a throwing subscriber never breaks the emitter. */
export function createEventBus(): EventSink & {
  subscribe(fn: (e: ApplianceEvent) => void): () => void;
} {
  const subs = new Set<(e: ApplianceEvent) => void>();
  return {
    emit(event) {
      for (const fn of subs) {
        try {
          fn(event);
        } catch {
          /* a subscriber's bug must not break a transfer */
        }
      }
    },
    subscribe(fn) {
      subs.add(fn);
      return () => subs.delete(fn);
    },
  };
}
