/**
 * startAdminServer: the operations service. It keeps the inventory (fed from the event bus, saved to
 * <dataDir>/inventory.json), serves the admin page, JSON API and /metrics on services.admin.port (never the
 * provisioning port), and runs check-sync jobs.
 *
 * Events: pass `subscribe` (e.g. bus.subscribe), or give deps.events a bus with subscribe(); otherwise feed
 * the returned handle's observe() from wherever events are emitted.
 */
import http from 'node:http';
import type { Socket } from 'node:net';
import type { LiveConfig } from '../runtime/live-config.ts';
import type { DhcpServer } from '../dhcp/server.ts';
import type { ApplianceEvent } from '../runtime/events.ts';
import type { Service } from '../shared/service.ts';
import type { ServiceDeps } from '../runtime/deps.ts';
import { ApplianceError } from '../shared/errors.ts';
import { createAdminApp } from './api.ts';
import { resolveToken } from './auth.ts';
import { createInventory, type Inventory } from './inventory/inventory.ts';
import { createPersister, loadInventoryFile } from './inventory/persist.ts';
import { createLeaseReader } from './leases.ts';
import { renderMetrics } from './metrics/render.ts';
import { createTrafficCounters } from './metrics/traffic.ts';
import { createJobRegistry, type JobRegistry } from './notify/jobs.ts';
import { createNotifier, type Notifier } from './notify/sender.ts';
import type { SipTimers } from './notify/timers.ts';

export interface AdminOptions {
  readonly live: LiveConfig;
  readonly dhcp?: DhcpServer | undefined;
  /** Other services' counters, e.g. { tftp: () => tftp.stats(), http: () => http.stats }. */
  readonly stats?: Record<string, () => unknown>;
  readonly port?: number;
  readonly subscribe?: (fn: (e: ApplianceEvent) => void) => () => void;
  /** SIP timers for check-sync (tests shorten T1). */
  readonly sipTimers?: Partial<SipTimers>;
  /** Address written into Via/From (default: the appliance address from the model). */
  readonly notifyLocalAddress?: string;
  readonly refetchTimeoutMs?: number;
  readonly persistDebounceMs?: number;
}

export type AdminServer = Service & { readonly inventory: Inventory; readonly jobs: JobRegistry; readonly port: number; observe(e: ApplianceEvent): void };

export async function startAdminServer(deps: ServiceDeps & AdminOptions): Promise<AdminServer> {
  const log = deps.log.child({ svc: 'admin' });
  const first = deps.model.current();
  const port = deps.port ?? first.services.admin.port;
  const dataDir = first.dataDir;
  const { token, source, file } = await resolveToken(first.services.admin.token, dataDir);
  if (source === 'generated') log.warn({ code: 'ADMIN_TOKEN_GENERATED', file }, 'no services.admin.token in appliance.yaml: generated one');

  const inventory = createInventory({ model: deps.model, restore: await loadInventoryFile(dataDir, log) });
  const persister = createPersister({ dataDir, snapshot: () => inventory.snapshot(), log, debounceMs: deps.persistDebounceMs });
  const traffic = createTrafficCounters();
  const updates = new Set<() => void>();
  const fire = (): void => { for (const fn of updates) { try { fn(); } catch { /* one SSE client must not stop the others */ } } };
  inventory.onChange(() => { persister.schedule(); fire(); });

  const observe = (e: ApplianceEvent): void => { traffic.observe(e); inventory.apply(e); };
  const bus = deps.events as Partial<{ subscribe(fn: (e: ApplianceEvent) => void): () => void }>;
  const subscribe = deps.subscribe ?? (typeof bus.subscribe === 'function' ? bus.subscribe.bind(deps.events) : undefined);
  const unsubscribe = subscribe?.(observe);
  if (!subscribe) log.warn({ code: 'ADMIN_NO_EVENTS' }, 'no event subscription given: the inventory is fed only through observe()');

  let notifier: Promise<Notifier> | undefined;
  const getNotifier = (): Promise<Notifier> => (notifier ??= createNotifier({
    localAddress: deps.notifyLocalAddress ?? deps.model.current().address, bindAddress: deps.bindAddress, timers: deps.sipTimers, log,
  }));
  let notifierStats: Notifier | undefined;
  const jobs = createJobRegistry({
    inventory, model: deps.model, log, refetchTimeoutMs: deps.refetchTimeoutMs,
    notifier: async () => (notifierStats = await getNotifier()),
    onUpdate: fire,
  });
  const leases = createLeaseReader(() => deps.model.current().dataDir);
  const app = createAdminApp({
    inventory, jobs, live: deps.live, token, log, startedAt: Date.now(),
    leases: () => leases(deps.model.current(), Date.now()),
    metrics: () => renderMetrics({
      inventory, traffic, dhcp: deps.dhcp?.stats(), stats: deps.stats ?? {}, config: deps.live.state(),
      leases: leases(deps.model.current(), Date.now()), notifier: notifierStats?.stats(),
    }),
    onUpdate: (fn) => { updates.add(fn); return () => { updates.delete(fn); }; },
  });

  const server = http.createServer({ requestTimeout: 30_000, headersTimeout: 10_000 }, app);
  server.on('clientError', (_e: Error, sock: Socket) => { sock.destroy(); });
  const bound = await new Promise<number>((resolve, reject) => {
    server.once('error', (e) => reject(new ApplianceError('ADMIN_LISTEN', `admin server cannot listen on port ${port}: ${e.message}`)));
    server.listen(port, deps.bindAddress, () => {
      const a = server.address();
      resolve(typeof a === 'object' && a !== null ? a.port : port);
    });
  });
  server.on('error', (e) => log.error({ err: e }, 'admin server error'));
  log.info({ port: bound, token: source }, 'admin listening');

  let closed = false;
  return {
    name: 'admin',
    inventory,
    jobs,
    port: bound,
    observe,
    async close() {
      if (closed) return;
      closed = true;
      unsubscribe?.();
      await new Promise<void>((r) => { server.close(() => r()); server.closeAllConnections(); });
      if (notifier) await (await notifier).close();
      await persister.flush();
    },
  };
}
