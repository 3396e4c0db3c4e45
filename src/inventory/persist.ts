/**
 * The inventory on disk: <dataDir>/inventory.json, written crash-safely (temporary file, fsync, rename over the
 * old one, fsync the folder), debounced so a boot storm costs one write per interval, not one per event.
 * A file that cannot be read back is moved aside (inventory.json.corrupt-<ms>) and the inventory starts empty.
 * startInventory is the running appliance's inventory: restored from that file, fed from the event bus, saved
 * on every change; close() stops listening and writes what is pending.
 */
import { readFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { LeaseLookup, ModelRef } from '../runtime/deps.ts';
import type { ApplianceEvent } from '../runtime/events.ts';
import { removeAtomicLeftovers, writeAtomic } from '../shared/durable.ts';
import { err, ok, type Result } from '../shared/result.ts';
import type { Service } from '../shared/service.ts';
import {
  createInventory,
  type Inventory,
  type InventorySnapshot,
} from './inventory.ts';
import { snapshotJson } from './snapshot-json.ts';
import type { PhoneRecord } from './types.ts';

export const INVENTORY_FILE = 'inventory.json';

export interface LoadError {
  readonly code: 'ADMIN_INVENTORY_CORRUPT' | 'ADMIN_INVENTORY_IO';
  readonly message: string;
}

const isPhone = (x: unknown): x is PhoneRecord => {
  if (typeof x !== 'object' || x === null) return false;
  const p = x as Record<string, unknown>;
  return (
    typeof p.mac === 'string' &&
    /^[0-9a-f]{12}$/.test(p.mac) &&
    typeof p.firstSeen === 'number' &&
    typeof p.lastSeen === 'number' &&
    Array.isArray(p.timeline) &&
    typeof p.files === 'object' &&
    p.files !== null
  );
};

/** Parse a saved inventory; never throws. Bad phone entries are skipped and counted. */
export function decodeSnapshot(
  text: string,
): Result<{ snapshot: InventorySnapshot; skipped: number }, LoadError> {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    return err({
      code: 'ADMIN_INVENTORY_CORRUPT',
      message: `not JSON: ${(e as Error).message}`,
    });
  }
  if (typeof raw !== 'object' || raw === null)
    return err({ code: 'ADMIN_INVENTORY_CORRUPT', message: 'not an object' });
  const o = raw as Record<string, unknown>;
  if (o.version !== 1 || !Array.isArray(o.phones))
    return err({
      code: 'ADMIN_INVENTORY_CORRUPT',
      message: 'unknown format (expected version 1 with phones[])',
    });
  const phones = o.phones.filter(isPhone);
  const errors = Array.isArray(o.errors)
    ? o.errors.filter(
        (e) =>
          typeof e === 'object' &&
          e !== null &&
          typeof (e as { code?: unknown }).code === 'string',
      )
    : [];
  return ok({
    snapshot: {
      version: 1,
      savedAt: typeof o.savedAt === 'number' ? o.savedAt : 0,
      phones,
      errors,
    },
    skipped: o.phones.length - phones.length,
  });
}

export async function loadInventoryFile(
  dataDir: string,
  log: Logger,
): Promise<InventorySnapshot | undefined> {
  const path = join(dataDir, INVENTORY_FILE);
  for (const f of await removeAtomicLeftovers(path))
    log.info({ removed: f }, 'removed a leftover inventory temporary file');
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT')
      log.warn(
        { code: 'ADMIN_INVENTORY_IO', err: (e as Error).message, path },
        'inventory not readable; starting empty',
      );
    return undefined;
  }
  const r = decodeSnapshot(text);
  if (!r.ok) {
    const aside = `${path}.corrupt-${Date.now()}`;
    try {
      await rename(path, aside);
    } catch {
      /* keep going: the next save replaces it */
    }
    log.warn(
      { code: r.error.code, err: r.error.message, path, movedTo: aside },
      'inventory file unreadable; moved aside, starting empty',
    );
    return undefined;
  }
  if (r.value.skipped > 0)
    log.warn(
      { code: 'ADMIN_INVENTORY_CORRUPT', skipped: r.value.skipped, path },
      'skipped unreadable inventory entries',
    );
  return r.value.snapshot;
}

export interface Persister {
  /** Note a change; a write follows within debounceMs. */
  schedule(): void;
  /** Write now if anything is pending (and wait for a write in flight). */
  flush(): Promise<void>;
  readonly writes: number;
  readonly failures: number;
}

export function createPersister(opts: {
  dataDir: string;
  snapshot: () => InventorySnapshot;
  log: Logger;
  debounceMs?: number;
}): Persister {
  const path = join(opts.dataDir, INVENTORY_FILE);
  const debounce = opts.debounceMs ?? 1000;
  let timer: NodeJS.Timeout | undefined;
  let dirty = false;
  let inFlight: Promise<void> | undefined;
  let writes = 0;
  let failures = 0;

  // Serialising 10,000 phones takes ~200 ms of the event loop (in pieces, between the file writes): wait at
  // least 10x the last save's wall time between saves, so saving never takes more than a tenth of the time.
  let lastCost = 0;
  const write = async (): Promise<void> => {
    while (inFlight) await inFlight;
    if (!dirty) return;
    dirty = false;
    const t0 = performance.now();
    // In pieces (snapshot-json.ts): the file's whole text is never one string.
    inFlight = writeAtomic(path, snapshotJson(opts.snapshot()), {
      mode: 0o600,
    })
      .then(
        () => {
          writes++;
          lastCost = performance.now() - t0;
        },
        (e: Error) => {
          failures++;
          dirty = true;
          opts.log.error(
            { code: 'ADMIN_INVENTORY_IO', err: e.message, path },
            'inventory not saved; will retry',
          );
        },
      )
      .finally(() => {
        inFlight = undefined;
      });
    await inFlight;
  };

  return {
    schedule() {
      dirty = true;
      if (timer) return;
      timer = setTimeout(
        () => {
          timer = undefined;
          void write();
        },
        Math.max(debounce, 10 * lastCost),
      );
      timer.unref();
    },
    async flush() {
      if (timer) {
        clearTimeout(timer);
        timer = undefined;
      }
      await write();
    },
    get writes() {
      return writes;
    },
    get failures() {
      return failures;
    },
  };
}

export interface InventoryServiceOptions {
  readonly model: ModelRef;
  readonly leases: LeaseLookup;
  readonly log: Logger;
  readonly subscribe: (fn: (e: ApplianceEvent) => void) => () => void;
  /** Delay between a change and its save (default persist.ts's). */
  readonly persistDebounceMs?: number | undefined;
  /** Phones kept at most (default phone-table.ts's DEFAULT_MAX_PHONES). */
  readonly maxPhones?: number | undefined;
}

export type InventoryService = Service & {
  readonly inventory: Inventory;
  readonly persister: Persister;
};

export async function startInventory(
  opts: InventoryServiceOptions,
): Promise<InventoryService> {
  const { log } = opts;
  const dataDir = opts.model.current().dataDir;
  const inventory = createInventory({
    model: opts.model,
    leases: opts.leases,
    restore: await loadInventoryFile(dataDir, log),
    ...(opts.maxPhones === undefined ? {} : { maxPhones: opts.maxPhones }),
  });
  const persister = createPersister({
    dataDir,
    snapshot: () => inventory.snapshot(),
    log,
    debounceMs: opts.persistDebounceMs,
  });
  const offChange = inventory.onChange(() => persister.schedule());
  const unsubscribe = opts.subscribe((e) => inventory.apply(e));
  return {
    name: 'inventory',
    inventory,
    persister,
    async close() {
      unsubscribe();
      offChange();
      await persister.flush();
    },
  };
}
