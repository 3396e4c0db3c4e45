/**
 * The operations side of `appliance run` (src/main.ts), started when the model enables the admin server: the
 * inventory (fed from the bus, saved in the data directory), the check-sync SIP client and the admin server
 * over them, and the modules they are imported from on demand (src/main.ts lists them with the services').
 */
import type { ServiceCounters } from '../admin/metrics/inputs.ts';
import type { AdminServer } from '../admin/server.ts';
import type { ApplianceModel } from '../config/model.ts';
import type { LeaseQuery, ServiceDeps } from '../runtime/deps.ts';
import type { ApplianceEvent } from '../runtime/events.ts';
import type { LiveConfig } from '../runtime/live-config.ts';
import type { Mac } from '../shared/mac.ts';
import type { Service } from '../shared/service.ts';
import type { SipTimers } from '../sip/timers.ts';

/** The modules of the operations side, imported only when the admin server is enabled. */
export const operationsModules = {
  offlineLeases: () => import('../dhcp/leases/replay.ts'),
  inventory: () => import('../inventory/persist.ts'),
  sip: () => import('../sip/sender.ts'),
  admin: () => import('../admin/server.ts'),
};

export interface Operations {
  readonly deps: ServiceDeps;
  readonly model: ApplianceModel;
  readonly live: LiveConfig;
  readonly dhcpLeases: LeaseQuery | undefined;
  readonly counters: ServiceCounters;
  readonly phoneLog: ((mac: Mac) => Promise<string>) | undefined;
  readonly subscribe: (fn: (e: ApplianceEvent) => void) => () => void;
  readonly opts: OperationsOptions;
}

/** Operations settings the tests shorten: SIP timers, check-sync re-fetch timeout, inventory persist debounce. */
export interface OperationsOptions {
  readonly sipTimers?: Partial<SipTimers> | undefined;
  readonly refetchTimeoutMs?: number | undefined;
  readonly persistDebounceMs?: number | undefined;
  readonly maxPhones?: number | undefined;
}

/**
 * Without DHCP the leases are the journal a previous run left on disk. Each part is pushed onto `services` as
 * it starts (the caller closes them, in reverse).
 */
export async function startOperations(
  {
    deps,
    model,
    live,
    dhcpLeases,
    counters,
    phoneLog,
    subscribe,
    opts,
  }: Operations,
  services: Service[],
): Promise<AdminServer> {
  const load = operationsModules;
  const log = deps.log.child({ svc: 'admin' });
  const leases =
    dhcpLeases ??
    (await load.offlineLeases()).offlineLeases(model.dataDir, deps.model);
  const { startInventory } = await load.inventory();
  const inventory = await startInventory({
    model: deps.model,
    leases: deps.leases,
    log,
    subscribe,
    persistDebounceMs: opts.persistDebounceMs,
    maxPhones: opts.maxPhones,
  });
  services.push(inventory);
  const { createSipClient } = await load.sip();
  const sip = createSipClient({
    localAddress: () => deps.model.current().address,
    bindAddress: deps.bindAddress,
    timers: opts.sipTimers,
    log,
  });
  services.push(sip);
  const { startAdminServer } = await load.admin();
  const admin = await startAdminServer({
    ...deps,
    live,
    inventory: inventory.inventory,
    dhcpLeases: leases,
    notifier: sip.notifier,
    counters: { ...counters, sip: sip.stats },
    phoneLog,
    subscribe,
    refetchTimeoutMs: opts.refetchTimeoutMs,
  });
  services.push(admin);
  return admin;
}
