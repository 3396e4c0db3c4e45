/**
 * The phone inventory: every phone seen on the event bus (DHCP exchanges, file transfers, check-syncs), keyed
 * by MAC. Pure state plus change notification; persistence is persist.ts, the HTTP view is admin/api.ts.
 * A transfer without a MAC is attributed through the address: who holds it is the DHCP leases' answer
 * (LeaseLookup); only for an address no lease names (DHCP elsewhere or off, an expired lease) does the
 * inventory fall back to where it last saw each phone.
 * The records, their bounds and the address index are phone-table.ts; how each event changes a record is
 * record-events.ts; this module is the inventory's interface over them, its change notification and views.
 */

import type { ApplianceEvent } from '../runtime/events.ts';
import { createPhoneTable, type PhoneTableOptions } from './phone-table.ts';
import { recordDhcp, recordSyslog, recordTransfer } from './record-events.ts';
import { offeredFirmware, rolloutState } from './rollout.ts';
import type {
  InventoryError,
  InventoryNoise,
  InventorySnapshot,
  PhoneRecord,
  PhoneView,
} from './types.ts';

export { DEFAULT_MAX_PHONES } from './phone-table.ts';
export { versionOf } from './record-events.ts';
export type { InventoryNoise, InventorySnapshot } from './types.ts';

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

export interface InventoryOptions extends PhoneTableOptions {
  readonly now?: () => number;
  /** Syslog entries kept per timeline (default 100). */
  readonly syslogMax?: number;
  readonly restore?: InventorySnapshot | undefined;
}

export function createInventory(options: InventoryOptions): Inventory {
  // The closures below keep `opts` for the inventory's life: without `restore`, so the parsed file they were
  // restored from (a second copy of every record) is not kept with it.
  const { restore, ...opts } = options;
  const now = opts.now ?? Date.now;
  const table = createPhoneTable(opts, restore);
  const { phones } = table;
  const syslogMax = opts.syslogMax ?? 100;
  let rev = 0;
  const listeners = new Set<() => void>();

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
        if (e.type === 'dhcp') recorded = recordDhcp(table, e, at);
        else if (e.type === 'transfer') recorded = recordTransfer(table, e, at);
        else if (e.type === 'syslog')
          recorded = recordSyslog(table, e, at, syslogMax);
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
      table.push(p, {
        at,
        kind: 'notify',
        what: 'check-sync',
        result,
        address: p.address,
      });
      if (result !== 'ok')
        table.noteError({
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
    macForAddress: table.macForAddress,
    errors: () => table.errors(),
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
      errors: table.errors(),
    }),
    noise: () => table.noise,
  };
}
