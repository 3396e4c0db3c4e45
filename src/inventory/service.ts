/**
 * The inventory as a running part of the appliance: restored from <dataDir>/inventory.json, fed from the
 * event bus, saved (debounced) on every change; close() stops listening and writes what is pending.
 */
import type { Logger } from 'pino';
import type { ApplianceEvent } from '../runtime/events.ts';
import type { LeaseLookup, ModelRef } from '../runtime/deps.ts';
import type { Service } from '../shared/service.ts';
import { createInventory, type Inventory } from './inventory.ts';
import { createPersister, loadInventoryFile, type Persister } from './persist.ts';

export interface InventoryServiceOptions {
  readonly model: ModelRef;
  readonly leases: LeaseLookup;
  readonly log: Logger;
  readonly subscribe: (fn: (e: ApplianceEvent) => void) => () => void;
  /** Delay between a change and its save (default persist.ts's). */
  readonly persistDebounceMs?: number | undefined;
}

export type InventoryService = Service & { readonly inventory: Inventory; readonly persister: Persister };

export async function startInventory(opts: InventoryServiceOptions): Promise<InventoryService> {
  const { log } = opts;
  const dataDir = opts.model.current().dataDir;
  const inventory = createInventory({ model: opts.model, leases: opts.leases, restore: await loadInventoryFile(dataDir, log) });
  const persister = createPersister({ dataDir, snapshot: () => inventory.snapshot(), log, debounceMs: opts.persistDebounceMs });
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
