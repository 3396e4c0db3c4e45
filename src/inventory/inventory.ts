/**
 * The phone inventory: every phone seen on the event bus (DHCP exchanges, file transfers, check-syncs), keyed
 * by MAC. Pure state plus change notification; persistence is persist.ts, the HTTP view is admin/api.ts.
 * A transfer without a MAC is attributed through the address: who holds it is the DHCP leases' answer
 * (LeaseLookup); only for an address no lease names (DHCP elsewhere or off, an expired lease) does the
 * inventory fall back to where it last saw each phone.
 */

import { hasPolycomOui } from '../policy/polycom-oui.ts';
import { parseUserAgent } from '../policy/user-agent.ts';
import type { LeaseLookup, ModelRef } from '../runtime/deps.ts';
import type {
  ApplianceEvent,
  DhcpEvent,
  TransferEvent,
} from '../runtime/events.ts';
import type { SyslogEvent } from '../runtime/syslog-event.ts';
import type { Mac } from '../shared/mac.ts';
import { SEVERITY_NAMES } from '../shared/syslog-names.ts';
import { createInterner } from './intern.ts';
import { isOptionalMiss } from './optional.ts';
import { offeredFirmware, rolloutState } from './rollout.ts';
import type {
  InventoryError,
  PhoneRecord,
  PhoneView,
  TimelineEntry,
} from './types.ts';

export interface InventorySnapshot {
  readonly version: 1;
  readonly savedAt: number;
  readonly phones: readonly PhoneRecord[];
  readonly errors: readonly InventoryError[];
}

export interface Inventory {
  apply(e: ApplianceEvent): void;
  noteNotify(mac: string, result: string, at?: number): void;
  get(mac: string): PhoneRecord | undefined;
  view(mac: string): PhoneView | undefined;
  list(): PhoneView[];
  macForAddress(ip: string): string | undefined;
  errors(): readonly InventoryError[];
  /** Increments on every change (the page polls / SSE sends it). */
  revision(): number;
  onChange(fn: () => void): () => void;
  snapshot(): InventorySnapshot;
  /** What the inventory did not record (see InventoryNoise). */
  noise(): Readonly<InventoryNoise>;
}

/**
 * Events about MACs that are not phones: no Polycom vendor class, OUI or User-Agent, and not in appliance.yaml.
 * They are counted here, not recorded; `evicted` counts unknown phones dropped at the cap, oldest first.
 */
export interface InventoryNoise {
  dhcp: number;
  transfers: number;
  evicted: number;
}

export interface InventoryOptions {
  readonly model: ModelRef;
  /** The DHCP leases (default: none). */
  readonly leases?: LeaseLookup;
  readonly now?: () => number;
  readonly timelineMax?: number;
  /** Syslog entries kept per timeline (default 100). */
  readonly syslogMax?: number;
  readonly errorsMax?: number;
  readonly restore?: InventorySnapshot | undefined;
  /** Phones kept at most (default 10,000); past it the unknown phone seen longest ago is dropped. */
  readonly maxPhones?: number;
}

export const DEFAULT_MAX_PHONES = 10_000;

const APP_ONLY =
  /(-app\.log|-phone\.cfg|-web\.cfg|-directory\.xml|-calls\.xml)$/;
/** Option 60 version strings: the application's (sub-option 4) and the bootROM / updater's (sub-option 5). */
const APP_VERSION = /^(SIP|APP)\//;
const BOOT_VERSION = /^(BR|UP)\//;

/** "SIP/5.9.7.4477/05-Dec-24 00:58" → "5.9.7.4477"; "BR/4.0.11.0593/…" → "4.0.11.0593". */
export function versionOf(s: string | undefined): string | undefined {
  if (s === undefined) return undefined;
  const m = /^[A-Za-z]+\/([^/]+)/.exec(s);
  return m ? m[1] : /^\d[\d.]*$/.test(s) ? s : undefined;
}

export function createInventory(options: InventoryOptions): Inventory {
  // The closures below keep `opts` for the inventory's life: without `restore`, so the parsed file they were
  // restored from (a second copy of every record) is not kept with it.
  const { restore, ...opts } = options;
  const now = opts.now ?? Date.now;
  const timelineMax = opts.timelineMax ?? 300;
  const errorsMax = opts.errorsMax ?? 200;
  const MAX_FILES_PER_PHONE = 200;
  const maxPhones = opts.maxPhones ?? DEFAULT_MAX_PHONES;
  const phones = new Map<string, PhoneRecord>();
  const byAddress = new Map<string, string>();
  /** Unknown phones (not in appliance.yaml), least recently seen first: the eviction order at the cap. */
  const unknownOrder = new Map<string, true>();
  const noise: InventoryNoise = { dhcp: 0, transfers: 0, evicted: 0 };
  const listed = (mac: string): boolean =>
    opts.model.current().phones.has(mac as Mac);
  /** Evidence that a MAC is a phone: listed in appliance.yaml, a Polycom OUI, or what the caller saw. */
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
  let rev = 0;
  const listeners = new Set<() => void>();

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

  const changed = (): void => {
    rev++;
    for (const fn of listeners) {
      try {
        fn();
      } catch {
        /* a listener's bug must not break the bus */
      }
    }
  };

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

  /** Syslog lines take at most `syslogMax` places of a timeline, so a chatty phone keeps its DHCP and transfers. */
  const syslogMax = opts.syslogMax ?? 100;
  const onSyslog = (e: SyslogEvent, at: number): boolean => {
    const p =
      phones.get(e.mac) ??
      (opts.model.current().phones.has(e.mac) ? ensure(e.mac, at) : undefined);
    if (!p) return false; // a MAC only syslog has named is not a phone the inventory has seen
    p.lastSeen = at;
    const what = [SEVERITY_NAMES[e.severity] ?? `severity ${e.severity}`, e.app]
      .filter(Boolean)
      .join(' ');
    push(p, {
      at,
      kind: 'syslog',
      what,
      result: 'ok',
      address: e.peer,
      text: e.text.length > 240 ? `${e.text.slice(0, 239)}…` : e.text,
    });
    let n = 0;
    for (const t of p.timeline) if (t.kind === 'syslog') n++;
    if (n > syslogMax)
      p.timeline.splice(
        p.timeline.findIndex((t) => t.kind === 'syslog'),
        1,
      );
    return true;
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

  const onDhcp = (e: DhcpEvent, at: number): boolean => {
    if (!isPhone(e.mac, e.vendor.vendor === 'polycom')) {
      noise.dhcp++;
      return false;
    }
    const p = ensure(e.mac, at);
    if (e.site !== undefined) p.site = e.site;
    // The decoded option 60; model and part number as the policy saw them (appliance.yaml's pin wins).
    const v = e.vendor;
    const vendor =
      v.company ??
      (v.form === 'ascii' && v.model !== undefined
        ? v.text.slice(0, v.text.indexOf('-'))
        : undefined);
    if (vendor !== undefined) p.vendor = vendor;
    const model = e.labels.model ?? v.model;
    if (model !== undefined) p.model = model;
    const partNumber = e.labels.partNumber ?? v.partNumber;
    if (partNumber !== undefined) p.partNumber = partNumber;
    if (v.hardwareRevision !== undefined)
      p.hardwareRevision = v.hardwareRevision;
    // In the bootROM stage sub-option 4 carries the BR/ string too: only SIP/ (or APP/) is the application.
    if (v.appVersion !== undefined && APP_VERSION.test(v.appVersion)) {
      p.appVersionString = v.appVersion;
      if (/^SIP\//.test(v.appVersion)) {
        p.runningVersion = versionOf(v.appVersion);
        p.versionAt = at;
      }
    }
    const boot = [v.bootVersion, v.appVersion].find(
      (b) => b !== undefined && BOOT_VERSION.test(b),
    );
    if (boot !== undefined) {
      p.bootVersionString = boot;
      p.bootVersion = versionOf(boot);
    }
    if (e.reply === 'ACK' && e.address !== undefined) {
      setAddress(p, e.address);
      if (e.message === 'REQUEST') p.lease = { address: e.address, at };
    }
    push(p, {
      at,
      kind: 'dhcp',
      what: `${e.message}→${e.reply ?? 'none'}`,
      result: e.result,
      address: e.address,
    });
    if (e.result !== 'ok') {
      p.errors++;
      p.lastError = { at, code: e.result, path: undefined };
      noteError({
        at,
        mac: e.mac,
        peer: e.address,
        code: e.result,
        what: `DHCP ${e.message}`,
        path: undefined,
      });
    }
    return true;
  };

  const onTransfer = (e: TransferEvent, at: number): boolean => {
    const mac = e.mac ?? macForAddress(e.peer);
    /** A failed transfer of no phone the inventory knows: only on the recent-errors list. */
    const unowned = (): void =>
      noteError({
        at,
        mac: undefined,
        peer: e.peer,
        code: e.result,
        what: `${e.protocol} ${e.direction}`,
        path: e.path,
      });
    if (mac === undefined) {
      if (e.result !== 'ok') unowned();
      return e.result !== 'ok';
    }
    // A failed request naming a MAC nobody has seen (random <MAC>-x.cfg probes) creates no phone record.
    if (e.result !== 'ok' && !phones.has(mac) && !listed(mac)) {
      unowned();
      return true;
    }
    const ua = parseUserAgent(e.userAgent);
    // Nor does a successful one for a MAC with no sign of being a phone (a GET of <any MAC>-appliance.cfg).
    if (!isPhone(mac, ua !== undefined)) {
      noise.transfers++;
      return false;
    }
    const p = ensure(mac, at);
    // The lease is the authority on a phone's address; without one, where its requests come from.
    if (p.lease === undefined) setAddress(p, e.peer);
    else if (!byAddress.has(e.peer)) byAddress.set(e.peer, mac);
    if (e.userAgent !== undefined) p.userAgent = e.userAgent;
    if (ua) {
      p.model = ua.model;
      if (
        ua.stage === 'application' ||
        (ua.stage === undefined && APP_ONLY.test(e.path))
      ) {
        p.runningVersion = ua.version;
        p.versionAt = at;
      } else if (ua.stage === 'updater') p.bootVersion = ua.version;
    }
    const miss = isOptionalMiss(e.path, e.result, e.direction);
    const ok = e.result === 'ok' || miss;
    // Bounded per phone: a phone asking for endless distinct names cannot grow the inventory without limit.
    const key =
      p.files[e.path] !== undefined ||
      Object.keys(p.files).length < MAX_FILES_PER_PHONE
        ? e.path
        : '(other files)';
    const f = (p.files[key] ??= {
      downloads: 0,
      uploads: 0,
      failures: 0,
      lastAt: at,
      lastResult: e.result,
      bytes: 0,
    });
    f.lastAt = at;
    f.lastResult = e.result;
    f.bytes += e.bytes;
    if (e.direction === 'download') {
      f.downloads++;
      p.downloads++;
    } else {
      f.uploads++;
      p.uploads++;
    }
    if (!ok) f.failures++;
    if (e.direction === 'download') {
      if (e.result === 'ok' && e.path.endsWith('.cfg')) p.lastConfigFetch = at;
      if (e.path.endsWith('.ld')) {
        p.lastImage = { path: e.path, at, result: e.result };
        if (!ok) p.imageFailure = { path: e.path, at, result: e.result };
        else if (p.imageFailure?.path === e.path) p.imageFailure = undefined;
      }
    }
    push(p, {
      at,
      kind: e.direction,
      what: e.protocol,
      path: e.path,
      result: e.result,
      bytes: e.bytes,
      address: e.peer,
      optional: miss || undefined,
    });
    if (!ok) {
      p.errors++;
      p.lastError = { at, code: e.result, path: e.path };
      noteError({
        at,
        mac,
        peer: e.peer,
        code: e.result,
        what: `${e.protocol} ${e.direction}`,
        path: e.path,
      });
    }
    return true;
  };

  const view = (p: PhoneRecord): PhoneView => {
    const offered = offeredFirmware(opts.model.current(), p);
    // One spread of the record: the timeline and the files are left out as undefined (JSON drops them), which
    // V8 copies far faster than a rest-destructured copy spread again.
    return {
      ...p,
      timeline: undefined,
      files: undefined,
      offeredRelease: offered?.release,
      offeredVersion: offered?.version,
      rollout: rolloutState(p, offered, p.versionAt),
      state: p.known ? 'known' : 'new',
    };
  };

  return {
    apply(e) {
      const at = now();
      let recorded: boolean;
      try {
        if (e.type === 'dhcp') recorded = onDhcp(e, at);
        else if (e.type === 'transfer') recorded = onTransfer(e, at);
        else if (e.type === 'syslog') recorded = onSyslog(e, at);
        else return;
      } catch {
        return; // a malformed event is dropped; the bus and the front-ends carry on
      }
      if (recorded) changed();
    },
    noteNotify(mac, result, at = now()) {
      const p = phones.get(mac);
      if (!p) return;
      p.lastNotify = { at, result };
      push(p, {
        at,
        kind: 'notify',
        what: 'check-sync',
        result,
        address: p.address,
      });
      if (result !== 'ok')
        noteError({
          at,
          mac,
          peer: p.address,
          code: result,
          what: 'check-sync NOTIFY',
          path: undefined,
        });
      changed();
    },
    get: (mac) => phones.get(mac),
    view: (mac) => {
      const p = phones.get(mac);
      return p ? view(p) : undefined;
    },
    list: () =>
      [...phones.values()].sort((a, b) => (a.mac < b.mac ? -1 : 1)).map(view),
    macForAddress,
    errors: () => recentErrors,
    revision: () => rev,
    onChange(fn) {
      listeners.add(fn);
      return () => {
        listeners.delete(fn);
      };
    },
    snapshot: () => ({
      version: 1,
      savedAt: now(),
      phones: [...phones.values()],
      errors: recentErrors,
    }),
    noise: () => noise,
  };
}
