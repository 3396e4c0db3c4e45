/**
 * The composition root of `appliance run`: load appliance.yaml, render the tree, start every enabled
 * service with the same model, tree, events and leases, reload when the file changes, and close everything
 * on SIGTERM / SIGINT through one path. A service that fails to start closes the ones already started.
 */
import { mkdir } from 'node:fs/promises';
import { flushCompileCache } from 'node:module';
import { join } from 'node:path';
import type { ServiceCounters } from './admin/metrics/inputs.ts';
import type { AdminServer } from './admin/server.ts';
import { formatIssue } from './config/issues.ts';
import type { ApplianceModel } from './config/model.ts';
import { loadAppliance } from './policy/load.ts';
import { type LeaseQuery, noLeases, type ServiceDeps } from './runtime/deps.ts';
import { type ApplianceEvent, createEventBus } from './runtime/events.ts';
import { type LiveConfig, liveConfig } from './runtime/live-config.ts';
import { createLogger, flushLogger, type Logger } from './shared/log.ts';
import type { Mac } from './shared/mac.ts';
import type { Service } from './shared/service.ts';
import { sharedSyncGroup } from './shared/sync-group.ts';
import type { SipTimers } from './sip/timers.ts';
import { createRefusalLog } from './tree/refusals.ts';
import { removeStaleParts } from './tree/uploads.ts';

// Each service's module (and its dependencies: ftp-srv, express, the TFTP engine …) is imported only when the
// model enables that service, so a disabled service costs no memory.

/** The modules startAppliance imports on demand, by what needs them: the one list of them. */
const load = {
  dhcp: () => import('./dhcp/server.ts'),
  leaseSource: () => import('./dhcp/leases/external.ts'),
  offlineLeases: () => import('./dhcp/leases/replay.ts'),
  tftp: () => import('./tftp/server.ts'),
  ftp: () => import('./ftp/server.ts'),
  http: () => import('./http/server.ts'),
  ntp: () => import('./ntp/server.ts'),
  syslog: () => import('./syslog/server.ts'),
  phoneLog: () => import('./syslog/log-files.ts'),
  inventory: () => import('./inventory/persist.ts'),
  sip: () => import('./sip/sender.ts'),
  admin: () => import('./admin/server.ts'),
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
  /** Operations settings the tests shorten: SIP timers, check-sync re-fetch timeout, inventory persist debounce. */
  readonly admin?: {
    readonly sipTimers?: Partial<SipTimers> | undefined;
    readonly refetchTimeoutMs?: number | undefined;
    readonly persistDebounceMs?: number | undefined;
    readonly maxPhones?: number | undefined;
  };
  /** Debounce of the appliance.yaml watcher (default: liveConfig's). */
  readonly reloadDebounceMs?: number;
}

/** Start everything the model enables. Used by `appliance run`, the end-to-end tests and the admin lab harness. */
export async function startAppliance(
  configPath: string,
  log: Logger,
  opts: ApplianceOptions = {},
): Promise<Running> {
  const loaded = await loadAppliance(configPath);
  if (!loaded.ok) {
    for (const i of loaded.error)
      log.error(
        { code: i.code, at: `${i.file}:${i.line}:${i.col}`, path: i.path },
        formatIssue(i),
      );
    throw new Error(`${configPath}: invalid configuration, not starting`);
  }
  for (const w of loaded.value.warnings)
    log.warn(
      { code: w.code, at: `${w.file}:${w.line}:${w.col}` },
      formatIssue(w),
    );
  const model = loaded.value.model;
  await mkdir(model.dataDir, { recursive: true });
  const stale = await removeStaleParts(join(model.dataDir, 'uploads'));
  if (stale.length > 0)
    log.info(
      { removed: stale.length },
      'removed the temporary files of unfinished uploads',
    );
  const refusals = createRefusalLog({
    log: (r) =>
      log.warn(
        {
          code: 'TREE_MAC_MISMATCH',
          reason: 'unknown-host',
          protocol: r.protocol,
          peer: r.peer,
          path: r.path,
          suppressed: r.suppressed,
        },
        'upload refused: the address holds no lease or INFORM binding (logged once per host a minute)',
      ),
  });
  const live = liveConfig(configPath, model, {
    refusals,
    warnings: loaded.value.warnings,
    ...(opts.reloadDebounceMs === undefined
      ? {}
      : { debounceMs: opts.reloadDebounceMs }),
    onEvent: (e) => {
      if (e.ok)
        log.info(
          {
            event: 'config-reload',
            sha256: live.model.current().source.sha256,
            warnings: e.issues.map(formatIssue),
          },
          'configuration reloaded',
        );
      else
        log.error(
          { event: 'config-reload-refused', issues: e.issues.map(formatIssue) },
          'new configuration refused; the last good one keeps serving',
        );
    },
  });
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

interface Operations {
  readonly deps: ServiceDeps;
  readonly model: ApplianceModel;
  readonly live: LiveConfig;
  readonly dhcpLeases: LeaseQuery | undefined;
  readonly counters: ServiceCounters;
  readonly phoneLog: ((mac: Mac) => Promise<string>) | undefined;
  readonly subscribe: (fn: (e: ApplianceEvent) => void) => () => void;
  readonly opts: NonNullable<ApplianceOptions['admin']>;
}

/**
 * The operations side: the inventory (fed from the bus, saved in the data directory), the check-sync SIP client
 * and the admin server over them. Without DHCP the leases are the journal a previous run left on disk.
 */
async function startOperations(
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
