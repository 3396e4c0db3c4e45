/**
 * startAdminServer: the operations service. It serves the admin page, JSON API and /metrics on
 * services.admin.port (never the provisioning port; their code is loaded on the first request) and runs
 * check-sync jobs. It composes nothing: main.ts
 * hands it the inventory, the lease query, the SIP client and the services' counters as interfaces.
 */

import type { Socket } from 'node:net';
import type { Inventory } from '../inventory/inventory.ts';
import type { LeaseQuery, ServiceDeps } from '../runtime/deps.ts';
import type { ApplianceEvent } from '../runtime/events.ts';
import type { LiveConfig } from '../runtime/live-config.ts';
import { ApplianceError } from '../shared/errors.ts';
import type { Mac } from '../shared/mac.ts';
import { http } from '../shared/node-http.ts';
import type { Service } from '../shared/service.ts';
import type { Notifier } from '../sip/sender.ts';
import { resolveToken } from './auth.ts';
import { lazyHandler } from './lazy-handler.ts';
import type { ServiceCounters } from './metrics/inputs.ts';
import { createTrafficCounters } from './metrics/traffic.ts';
import { createJobRegistry, type JobRegistry } from './notify/jobs.ts';

export interface AdminOptions {
  readonly live: LiveConfig;
  readonly inventory: Inventory;
  /** The DHCP leases (the live table, or the journal left on disk when DHCP is off). */
  readonly dhcpLeases: LeaseQuery;
  /** The SIP client check-sync jobs send through, started on first use. */
  readonly notifier: () => Promise<Notifier>;
  /** The running services' counters, for /metrics. */
  readonly counters: ServiceCounters;
  /** The event bus, for the traffic counters of /metrics. */
  readonly subscribe: (fn: (e: ApplianceEvent) => void) => () => void;
  /** The last lines a phone sent by syslog, while that service runs. */
  readonly phoneLog?: ((mac: Mac) => Promise<string>) | undefined;
  readonly port?: number;
  readonly refetchTimeoutMs?: number | undefined;
}

export type AdminServer = Service & {
  readonly jobs: JobRegistry;
  readonly port: number;
};

/** The page, the API and /metrics: imported on the admin port's first request (lazy-handler.ts). */
export const importAdminHandler = () =>
  Promise.all([import('./api.ts'), import('./metrics/registry.ts')]);

export async function startAdminServer(
  deps: ServiceDeps & AdminOptions,
): Promise<AdminServer> {
  const log = deps.log.child({ svc: 'admin' });
  const first = deps.model.current();
  const port = deps.port ?? first.services.admin.port;
  const { token, source, file, saveError } = await resolveToken(
    first.services.admin.token,
    first.dataDir,
  );
  if (source === 'generated')
    log.warn(
      {
        code: 'ADMIN_TOKEN_GENERATED',
        file,
        ...(saveError ? { saveError } : {}),
      },
      saveError
        ? 'no services.admin.token, and the generated one could not be saved: it holds until the next restart'
        : 'no services.admin.token in appliance.yaml: generated one',
    );

  const { inventory } = deps;
  const traffic = createTrafficCounters();
  const unsubscribe = deps.subscribe((e) => traffic.observe(e));
  const updates = new Set<() => void>();
  const fire = (): void => {
    for (const fn of updates) {
      try {
        fn();
      } catch {
        /* one SSE client must not stop the others */
      }
    }
  };
  const offChange = inventory.onChange(fire);
  const jobs = createJobRegistry({
    inventory,
    model: deps.model,
    log,
    refetchTimeoutMs: deps.refetchTimeoutMs,
    notifier: deps.notifier,
    onUpdate: fire,
  });
  const startedAt = Date.now();
  // The page, the API and /metrics are imported on the first request (lazy-handler.ts).
  const app = lazyHandler(async () => {
    const [{ createAdminApp }, { createMetrics }] = await importAdminHandler();
    return createAdminApp({
      inventory,
      jobs,
      live: deps.live,
      token,
      log,
      startedAt,
      phoneLog: deps.phoneLog,
      leases: () => deps.dhcpLeases.snapshot(Date.now()),
      metrics: createMetrics({
        inventory,
        traffic,
        leases: deps.dhcpLeases,
        config: () => deps.live.state(),
        services: deps.counters,
      }),
      onUpdate: (fn) => {
        updates.add(fn);
        return () => {
          updates.delete(fn);
        };
      },
    });
  }, log);

  const server = http.createServer(
    { requestTimeout: 30_000, headersTimeout: 10_000 },
    app,
  );
  server.on('clientError', (_e: Error, sock: Socket) => {
    sock.destroy();
  });
  const bound = await new Promise<number>((resolve, reject) => {
    server.once('error', (e) =>
      reject(
        new ApplianceError(
          'ADMIN_LISTEN',
          `admin server cannot listen on port ${port}: ${e.message}`,
        ),
      ),
    );
    server.listen(
      port,
      first.services.admin.address ?? deps.bindAddress,
      () => {
        const a = server.address();
        resolve(typeof a === 'object' && a !== null ? a.port : port);
      },
    );
  });
  server.on('error', (e) => log.error({ err: e }, 'admin server error'));
  log.info(
    {
      address: first.services.admin.address ?? deps.bindAddress ?? 'all',
      port: bound,
      token: source,
    },
    'admin listening',
  );

  let closed = false;
  return {
    name: 'admin',
    jobs,
    port: bound,
    async close() {
      if (closed) return;
      closed = true;
      unsubscribe();
      offChange();
      await new Promise<void>((r) => {
        server.close(() => r());
        server.closeAllConnections();
      });
    },
  };
}
