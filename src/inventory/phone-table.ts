/**
 * The inventory's table of phone records: keyed by MAC, with the address index, the cap on phones (the unknown
 * phone seen longest ago dropped first), bounded timelines whose strings are shared, and the recent-errors list.
 * The event recorders (record-events.ts) and createInventory (inventory.ts) work on the records it holds.
 */

import { hasPolycomOui } from '../policy/polycom-oui.ts';
import type { LeaseLookup, ModelRef } from '../runtime/deps.ts';
import type { Mac } from '../shared/mac.ts';
import { createInterner } from './intern.ts';
import type {
  InventoryError,
  InventoryNoise,
  InventorySnapshot,
  PhoneRecord,
  TimelineEntry,
} from './types.ts';

export const DEFAULT_MAX_PHONES = 10_000;

export interface PhoneTableOptions {
  readonly model: ModelRef;
  /** The DHCP leases (default: none). */
  readonly leases?: LeaseLookup;
  readonly timelineMax?: number;
  readonly errorsMax?: number;
  /** Phones kept at most (default 10,000); past it the unknown phone seen longest ago is dropped. */
  readonly maxPhones?: number;
}

export interface PhoneTable {
  readonly model: ModelRef;
  readonly phones: Map<string, PhoneRecord>;
  /** Where the inventory last saw each phone: the fallback for an address no lease names. */
  readonly byAddress: Map<string, string>;
  readonly noise: InventoryNoise;
  /** Listed under phones: in appliance.yaml. */
  listed(mac: string): boolean;
  /** Evidence that a MAC is a phone: listed in appliance.yaml, a Polycom OUI, or what the caller saw. */
  isPhone(mac: string, seenAsPolycom: boolean): boolean;
  /** The phone's record, made (room made for it at the cap) if it has none; seen at `at`. */
  ensure(mac: string, at: number): PhoneRecord;
  /** Add an entry to a phone's timeline, its oldest dropped past timelineMax. */
  push(p: PhoneRecord, t: TimelineEntry): void;
  setAddress(p: PhoneRecord, ip: string | undefined): void;
  macForAddress(ip: string): string | undefined;
  noteError(e: InventoryError): void;
  errors(): InventoryError[];
}

/**
 * `opts` is kept for the table's life; `restore` is only read here (the parsed file it comes from, a second
 * copy of every record, is not kept with the table).
 */
export function createPhoneTable(
  opts: PhoneTableOptions,
  restore: InventorySnapshot | undefined,
): PhoneTable {
  const timelineMax = opts.timelineMax ?? 300;
  const errorsMax = opts.errorsMax ?? 200;
  const maxPhones = opts.maxPhones ?? DEFAULT_MAX_PHONES;
  const phones = new Map<string, PhoneRecord>();
  const byAddress = new Map<string, string>();
  /** Unknown phones (not in appliance.yaml), least recently seen first: the eviction order at the cap. */
  const unknownOrder = new Map<string, true>();
  const noise: InventoryNoise = { dhcp: 0, transfers: 0, evicted: 0 };
  const listed = (mac: string): boolean =>
    opts.model.current().phones.has(mac as Mac);
  const isPhone = (mac: string, seenAsPolycom: boolean): boolean =>
    phones.has(mac) || seenAsPolycom || listed(mac) || hasPolycomOui(mac);
  const evictForRoom = (): void => {
    while (phones.size >= maxPhones) {
      const oldest = unknownOrder.keys().next();
      if (oldest.done) return; // every phone is listed in appliance.yaml: that list bounds it
      unknownOrder.delete(oldest.value);
      const p = phones.get(oldest.value);
      phones.delete(oldest.value);
      if (p?.address !== undefined && byAddress.get(p.address) === p.mac)
        byAddress.delete(p.address);
      noise.evicted++;
    }
  };
  /** One copy of each repeated string in the timelines (intern.ts). */
  const share = createInterner();
  /** An entry with its repeated strings as their one shared copy: every entry enters a timeline through here. */
  const shared = (t: TimelineEntry): TimelineEntry => ({
    ...t,
    what: share(t.what),
    ...(t.path !== undefined && { path: share(t.path) }),
    ...(t.address !== undefined && { address: share(t.address) }),
  });
  let recentErrors: InventoryError[] = [];

  const restored = [...(restore?.phones ?? [])].sort(
    (a, b) => a.lastSeen - b.lastSeen,
  );
  for (const p of restored) {
    if (!phones.has(p.mac)) evictForRoom();
    phones.set(p.mac, {
      ...p,
      // A restored entry's strings are as JSON.parse made them: one copy each, shared here too.
      timeline: p.timeline.map(shared),
      files: { ...p.files },
    });
    if (!p.known) unknownOrder.set(p.mac, true);
    if (p.address) byAddress.set(p.address, p.mac);
  }
  recentErrors = [...(restore?.errors ?? [])];

  const ensure = (mac: string, at: number): PhoneRecord => {
    let p = phones.get(mac);
    if (!p) {
      const cfg = opts.model.current().phones.get(mac as Mac);
      p = {
        mac,
        known: cfg !== undefined,
        label: cfg?.label,
        site: cfg?.site,
        model: cfg?.model,
        vendor: undefined,
        partNumber: undefined,
        hardwareRevision: undefined,
        appVersionString: undefined,
        bootVersionString: undefined,
        runningVersion: undefined,
        bootVersion: undefined,
        versionAt: undefined,
        userAgent: undefined,
        address: undefined,
        lease: undefined,
        firstSeen: at,
        lastSeen: at,
        lastConfigFetch: undefined,
        lastImage: undefined,
        imageFailure: undefined,
        downloads: 0,
        uploads: 0,
        errors: 0,
        lastError: undefined,
        files: {},
        timeline: [],
        lastNotify: undefined,
      };
      evictForRoom();
      phones.set(mac, p);
    }
    p.lastSeen = at;
    if (!p.known) {
      unknownOrder.delete(mac);
      unknownOrder.set(mac, true);
    }
    return p;
  };

  const push = (p: PhoneRecord, t: TimelineEntry): void => {
    p.timeline.push(shared(t));
    if (p.timeline.length > timelineMax)
      p.timeline.splice(0, p.timeline.length - timelineMax);
  };

  const noteError = (e: InventoryError): void => {
    recentErrors.push(e);
    if (recentErrors.length > errorsMax)
      recentErrors = recentErrors.slice(-errorsMax);
  };

  const setAddress = (p: PhoneRecord, ip: string | undefined): void => {
    if (ip === undefined || ip === '' || ip === p.address) return;
    if (p.address !== undefined && byAddress.get(p.address) === p.mac)
      byAddress.delete(p.address);
    p.address = ip;
    byAddress.set(ip, p.mac);
  };

  const macForAddress = (ip: string): string | undefined =>
    opts.leases?.macForAddress(ip) ?? byAddress.get(ip);

  return {
    model: opts.model,
    phones,
    byAddress,
    noise,
    listed,
    isPhone,
    ensure,
    push,
    setAddress,
    macForAddress,
    noteError,
    errors: () => recentErrors,
  };
}
