/**
 * The composition root of `appliance run`: load appliance.yaml, render the tree, start every enabled
 * service with the same model, tree, events and leases, reload when the file changes, and close everything
 * on SIGTERM / SIGINT through one path. A service that fails to start closes the ones already started.
 * Loading the configuration is cli/run-config.ts; the operations side (inventory, SIP, admin server) is
 * cli/run-operations.ts.
 */
import { flushCompileCache } from 'node:module';
import type { ServiceCounters } from './admin/metrics/inputs.ts';
import type { AdminServer } from './admin/server.ts';
import { openLiveConfig } from './cli/run-config.ts';
import {
  type OperationsOptions,
  operationsModules,
  startOperations,
} from './cli/run-operations.ts';
import { noLeases, type ServiceDeps } from './runtime/deps.ts';
import { createEventBus } from './runtime/events.ts';
import { createLogger, flushLogger, type Logger } from './shared/log.ts';
import type { Service } from './shared/service.ts';
import { sharedSyncGroup } from './shared/sync-group.ts';

// Each service's module (and its dependencies: ftp-srv, express, the TFTP engine …) is imported only when the
// model enables that service, so a disabled service costs no memory.

/**
 * The modules startAppliance imports on demand, by what needs them: the one list of them (the operations
 * side's, cli/run-operations.ts, spread in).
 */
const load = {
  dhcp: () => import('./dhcp/server.ts'),
  leaseSource: () => import('./dhcp/leases/external.ts'),
  tftp: () => import('./tftp/server.ts'),
  ftp: () => import('./ftp/server.ts'),
  http: () => import('./http/server.ts'),
  ntp: () => import('./ntp/server.ts'),
  syslog: () => import('./syslog/server.ts'),
  phoneLog: () => import('./syslog/log-files.ts'),
  ...operationsModules,
};

/**
 * Import every module startAppliance may import (and those the admin server imports on its first request),
 * starting nothing: a start that had to strip types loads them all before it re-executes from the compile
 * cache it wrote (cli/warm-start.ts).
 */
export async function importServiceModules(): Promise<void> {
  await Promise.all(Object.values(load).map((f) => f()));
  await (await load.admin()).importAdminHandler();
}

export interface Running {
  readonly services: readonly Service[];
  /** The admin server, when the model enables it. */
  readonly admin: AdminServer | undefined;
  close(): Promise<void>;
}

/** What the operations tests change; `appliance run` passes none. */
export interface ApplianceOptions {
  /** Operations settings the tests shorten (cli/run-operations.ts). */
  readonly admin?: OperationsOptions;
  /** Debounce of the appliance.yaml watcher (default: liveConfig's). */
  readonly reloadDebounceMs?: number;
}

/** Start everything the model enables. Used by `appliance run`, the end-to-end tests and the admin lab harness. */
export async function startAppliance(
  configPath: string,
  log: Logger,
  opts: ApplianceOptions = {},
): Promise<Running> {
  const { model, live } = await openLiveConfig(
    configPath,
    log,
    opts.reloadDebounceMs,
  );
  const bus = createEventBus();
  // DHCP and transfers are logged by their own service (DHCP: each phone's new address, refusals and a
  // summary at info, every message at debug), so the bus copy is debug, and not built at all above it.
  bus.subscribe((e) => {
    if (e.type !== 'dhcp' && log.isLevelEnabled('debug')) log.debug(e, e.type);
  });
  const base: ServiceDeps = {
    model: live.model,
    tree: live.tree,
    log,
    events: bus,
    leases: noLeases,
  };
  const services: Service[] = [];
  let admin: AdminServer | undefined;
  const closeAll = async (): Promise<void> => {
    live.close();
    for (const s of services.reverse()) {
      try {
        await s.close();
      } catch (e) {
        log.error({ err: e, service: s.name }, 'close failed');
      }
    }
    services.length = 0;
  };
  try {
    const sv = model.services;
    let deps = base;
    const dhcp = sv.dhcp.enabled
      ? await (await load.dhcp()).startDhcpServer({
          ...base,
          dataDir: model.dataDir,
        })
      : undefined;
    if (dhcp) {
      services.push(dhcp);
      deps = { ...base, leases: dhcp.leases };
    }
    const start = async <S extends Service>(
      on: boolean,
      open: () => Promise<S>,
    ): Promise<S | undefined> => {
      if (!on) return undefined;
      const s = await open();
      services.push(s);
      return s;
    };
    // DHCP off beside Kea or dnsmasq: their lease file says which phone holds which address (appliance.leaseSource).
    const ls = dhcp ? undefined : model.leaseSource;
    const leaseSource =
      ls &&
      (await start(true, async () =>
        (await load.leaseSource()).startLeaseSource({ ...base, source: ls }),
      ));
    if (leaseSource) deps = { ...base, leases: leaseSource.leases };
    const tftp = await start(sv.tftp.enabled, async () =>
      (await load.tftp()).startTftpServer(deps),
    );
    const ftp = await start(sv.ftp.enabled, async () =>
      (await load.ftp()).startFtpServer(deps),
    );
    const http = await start(sv.http.enabled || sv.https.enabled, async () =>
      (await load.http()).startHttpServers(deps),
    );
    const ntp = await start(sv.ntp.enabled, async () =>
      (await load.ntp()).startNtpServer(deps),
    );
    const syslog = await start(sv.syslog.enabled, async () =>
      (await load.syslog()).startSyslogServer(deps),
    );
    if (sv.admin.enabled) {
      const counters: ServiceCounters = {
        dhcp: dhcp && (() => dhcp.stats()),
        tftp: tftp && (() => tftp.stats()),
        ftp: ftp && (() => ftp.stats),
        http: http && (() => http.stats),
        ntp: ntp && (() => ntp.stats()),
        syslog: syslog && (() => syslog.stats()),
      };
      const phoneLog =
        syslog && (await load.phoneLog()).phoneLogReader(model.dataDir);
      admin = await startOperations(
        {
          deps,
          model,
          live,
          dhcpLeases: dhcp?.leases ?? leaseSource?.leases,
          counters,
          phoneLog,
          subscribe: (fn) => bus.subscribe(fn),
          opts: opts.admin ?? {},
        },
        services,
      );
    }
  } catch (e) {
    await closeAll();
    throw e;
  }
  const uploads = sharedSyncGroup();
  log.info(
    {
      services: services.map((s) => s.name),
      config: configPath,
      sha256: model.source.sha256,
      uploadSync: uploads.group.kind,
      ...(uploads.why ? { uploadSyncWhy: uploads.why } : {}),
    },
    'appliance running',
  );
  return { services, admin, close: closeAll };
}

export async function run(configPath: string): Promise<number> {
  const log = createLogger();
  let running: Running;
  try {
    running = await startAppliance(configPath, log);
  } catch (e) {
    log.fatal({ err: e }, (e as Error).message);
    flushLogger(log);
    return 1;
  }
  // Write Node's compile cache now (when enabled: src/cli/node-flags.ts), not only at a clean exit.
  flushCompileCache();
  return new Promise<number>((resolve) => {
    let stopping = false;
    const stop = (signal: string): void => {
      if (stopping) return;
      stopping = true;
      log.info({ signal }, 'shutting down');
      running
        .close()
        .then(
          () => 0,
          () => 1,
        )
        .then((code) => {
          log.info({ code }, 'stopped');
          flushLogger(log);
          resolve(code);
        });
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  });
}
