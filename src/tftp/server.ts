/**
 * The TFTP service: a UDP socket on the configured port takes RRQ/WRQ, refuses what it must (mode, busy),
 * negotiates options and hands the request to download.ts or upload.ts, which run it on its own socket (a
 * fresh TID) or in the native engine. One transfer record per request (runtime/transfer-record.ts).
 * Settings are read from the current model on every request, so a hot reload changes maxBlksize,
 * maxTransfers and the per-host limit for the next transfer.
 *
 * A request that finds maxTransfers in progress waits a moment for a slot (waiting-room.ts) before it is
 * refused TFTP_BUSY. Against a hostile VLAN: one client address holds at most maxTransfersPerHost transfers
 * (more are refused TFTP_HOST_BUSY: counted, logged once per host a minute, no transfer record each), every
 * transfer ends after maxTransferSeconds whatever it does (TFTP_LIFETIME), a timeout option above 10 s is refused
 * (codec/negotiate.ts), and the listening socket asks for a large receive buffer so a burst of requests
 * waits in the kernel instead of being dropped there.
 *
 * This module is the service: its sockets, the engine, start and close. Admitting a request is admit.ts;
 * running one that holds its slots is start-transfer.ts.
 */
import { createSocket } from 'node:dgram';
import type { ServiceDeps } from '../runtime/deps.ts';
import { createTransferRecorder } from '../runtime/transfer-record.ts';
import type { Service } from '../shared/service.ts';
import { sharedSyncGroup } from '../shared/sync-group.ts';
import type { TransferHandle } from './accepted.ts';
import { type AdmissionContext, admitRequest } from './admit.ts';
import { type Clock, realClock } from './clock.ts';
import { decode } from './codec/packet.ts';
import { createHostBusy } from './host-busy.ts';
import { DEFAULT_RETRY, type RetryPolicy } from './machine/machine.ts';
import {
  createNativeDownloads,
  loadEngineAddon,
  type NativeDownloads,
} from './native/engine.ts';
import { bindSocket, enlargeReceiveBuffer } from './sockets.ts';
import { emptyStats, type TftpStats } from './stats.ts';
import { createTransferSlots } from './waiting-room.ts';

export type { TftpStats } from './stats.ts';

export interface TftpServerOptions {
  /** Overrides services.tftp.port (0 = any free port). */
  readonly port?: number;
  readonly clock?: Clock;
  readonly retry?: Partial<RetryPolicy>;
  /**
   * Who runs downloads once accepted: 'native' (default) the engine threads of native/engine.c; 'js' the
   * send machine (machine/send.ts) in this thread, as always with an injected clock (the engine keeps real
   * time), and as a fallback when the engine cannot be built (logged). Uploads always run here.
   */
  readonly engine?: 'native' | 'js';
}

export interface TftpService extends Service {
  stats(): TftpStats;
  /** The port actually bound. */
  readonly port: number;
}

/**
 * SO_RCVBUF asked for on the listening socket: room for a few thousand queued requests (each costs its
 * buffer's truesize, about 1-2 KiB, in the kernel's count). Linux caps it at net.core.rmem_max.
 */
export const RECEIVE_BUFFER_BYTES = 4 * 1024 * 1024;

/** The native engine for downloads, unless the options ask for the JS machine or its addon cannot be built (logged). */
function startEngine(
  deps: ServiceDeps & TftpServerOptions,
  stats: TftpStats,
  log: ServiceDeps['log'],
): NativeDownloads | undefined {
  if (deps.clock || (deps.engine ?? 'native') !== 'native') return undefined;
  const addon = loadEngineAddon();
  if (addon.ok) return createNativeDownloads(addon.value, stats);
  log.warn(
    { err: addon.error },
    'tftp: native download engine unavailable, downloads run in the service thread',
  );
  return undefined;
}

export async function startTftpServer(
  deps: ServiceDeps & TftpServerOptions,
): Promise<TftpService> {
  const clock = deps.clock ?? realClock;
  const retry: RetryPolicy = { ...DEFAULT_RETRY, ...deps.retry };
  const stats = emptyStats();
  const running = new Map<string, TransferHandle | undefined>();
  const slots = createTransferSlots(stats, clock);
  const log = deps.log.child({ svc: 'tftp' });
  const recorder = createTransferRecorder({
    events: deps.events,
    log,
    now: () => clock.now(),
  });
  let closing = false;
  const engine = startEngine(deps, stats, log);

  const main = createSocket({ type: 'udp4', reuseAddr: false });
  main.on('error', (e) => log.error({ err: e.message }, 'tftp socket error'));
  try {
    await bindSocket(
      main,
      deps.port ?? deps.model.current().services.tftp.port,
      deps.bindAddress,
    );
  } catch (e) {
    engine?.close();
    try {
      main.close();
    } catch {
      /* never bound */
    }
    throw e;
  }
  const port = main.address().port;
  const refuseHostBusy = createHostBusy(log, main, stats);
  const receiveBuffer = enlargeReceiveBuffer(main, RECEIVE_BUFFER_BYTES);
  if (receiveBuffer < RECEIVE_BUFFER_BYTES)
    log.warn(
      { receiveBuffer, asked: RECEIVE_BUFFER_BYTES },
      'tftp: the kernel gave the listening socket a small receive buffer (net.core.rmem_max): a burst of requests may be dropped',
    );

  const ctx: AdmissionContext = {
    deps,
    log,
    clock,
    retry,
    stats,
    slots,
    running,
    engine,
    closing: () => closing,
    recorder,
    main,
    refuseHostBusy,
  };

  main.on('message', (msg, rinfo) => {
    if (closing) return;
    // Source port 0 cannot be answered (dgram.send throws on port 0): drop it as malformed.
    if (rinfo.port === 0) {
      stats.malformed++;
      return;
    }
    const p = decode(msg);
    if (!p.ok) {
      stats.malformed++;
      return;
    }
    const peer = { address: rinfo.address, port: rinfo.port };
    if (p.value.op === 'rrq' || p.value.op === 'wrq')
      admitRequest(ctx, p.value, peer);
    else stats.unexpected++;
  });

  log.info(
    {
      port,
      bind: deps.bindAddress ?? '0.0.0.0',
      receiveBuffer,
      uploadSync: sharedSyncGroup().group.kind,
    },
    'tftp listening',
  );

  return {
    name: 'tftp',
    port,
    stats: () => {
      engine?.syncStats();
      return { ...stats };
    },
    async close() {
      if (closing) return;
      closing = true;
      slots.close();
      await new Promise<void>((resolve) => main.close(() => resolve()));
      for (const s of running.values()) s?.shutdown();
      // Transfers still binding finish on their own (they see `closing`); wait briefly for them.
      const until = clock.now() + 2000;
      while (running.size > 0 && clock.now() < until)
        await new Promise((r) => setTimeout(r, 10));
      engine?.close();
    },
  };
}
