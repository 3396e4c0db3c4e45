/** The inventory's records: one per phone (keyed by MAC), with a bounded timeline. Times are epoch ms. */

export type TimelineKind = 'dhcp' | 'download' | 'upload' | 'notify' | 'syslog';

export interface TimelineEntry {
  readonly at: number;
  readonly kind: TimelineKind;
  /** dhcp: "DISCOVER→OFFER"; transfers: protocol; notify: "check-sync"; syslog: severity and app. */
  readonly what: string;
  readonly path?: string | undefined;
  /** 'ok' or a stable error code. */
  readonly result: string;
  readonly bytes?: number | undefined;
  readonly address?: string | undefined;
  /** A "not found" for a file phones ask for whether or not it exists (optional.ts): not an error. */
  readonly optional?: true | undefined;
  /** syslog: the message text (cut to 240 characters; the whole line is in the phone's log file). */
  readonly text?: string | undefined;
}

export interface FileSummary {
  downloads: number;
  uploads: number;
  failures: number;
  lastAt: number;
  lastResult: string;
  bytes: number;
}

export interface PhoneRecord {
  readonly mac: string;
  /** Listed under phones: in appliance.yaml (false = a new, unknown MAC). */
  known: boolean;
  label: string | undefined;
  site: string | undefined;
  /** Catalog model token (VVX410), from option 60, the User-Agent, or appliance.yaml. */
  model: string | undefined;
  vendor: string | undefined;
  partNumber: string | undefined;
  hardwareRevision: string | undefined;
  /** Option 60 sub-options 4 and 5 as sent (SIP/5.9.7.4477/…, UP/5.9.7.3828/…). */
  appVersionString: string | undefined;
  bootVersionString: string | undefined;
  /** Application version the phone reports running (User-Agent Type/Application, else option 60 SIP/…). */
  runningVersion: string | undefined;
  /** BootROM / updater version (User-Agent Type/Updater, else option 60 BR/… or UP/…). */
  bootVersion: string | undefined;
  /** When runningVersion was last reported. */
  versionAt: number | undefined;
  userAgent: string | undefined;
  address: string | undefined;
  /** Last DHCP ACK: address and when. */
  lease: { address: string; at: number } | undefined;
  firstSeen: number;
  lastSeen: number;
  /** Last successful download of a .cfg file (check-sync waves wait for this to move). */
  lastConfigFetch: number | undefined;
  /** Last image (.ld) download attempt and its result. */
  lastImage: { path: string; at: number; result: string } | undefined;
  /** An image download that failed and has not since succeeded (a missing bootROM …): the rollout failed. */
  imageFailure: { path: string; at: number; result: string } | undefined;
  downloads: number;
  uploads: number;
  errors: number;
  lastError: { at: number; code: string; path: string | undefined } | undefined;
  files: Record<string, FileSummary>;
  timeline: TimelineEntry[];
  /** Last check-sync sent and its outcome. */
  lastNotify: { at: number; result: string } | undefined;
}

export type RolloutState =
  | 'done'
  | 'in-progress'
  | 'failed'
  | 'not-yet'
  | 'unknown';

/** A phone as the API returns it: the record plus what is derived from the current model. */
export interface PhoneView extends Omit<PhoneRecord, 'timeline' | 'files'> {
  /** Never in a view (left undefined, so JSON drops them): the phone's timeline and files have routes of their own. */
  readonly timeline?: undefined;
  readonly files?: undefined;
  readonly offeredRelease: string | undefined;
  readonly offeredVersion: string | undefined;
  readonly rollout: RolloutState;
  readonly state: 'new' | 'known';
}

export interface InventoryError {
  readonly at: number;
  readonly mac: string | undefined;
  readonly peer: string | undefined;
  readonly code: string;
  readonly what: string;
  readonly path: string | undefined;
}

/** The inventory as saved to inventory.json (persist.ts) and restored from it. */
export interface InventorySnapshot {
  readonly version: 1;
  readonly savedAt: number;
  readonly phones: readonly PhoneRecord[];
  readonly errors: readonly InventoryError[];
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
