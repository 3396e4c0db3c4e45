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
 * transfer ends after
 * maxTransferSeconds whatever it does (TFTP_LIFETIME), a timeout option above 10 s is refused
 * (codec/negotiate.ts), and the listening socket asks for a large receive buffer so a burst of requests
 * waits in the kernel instead of being dropped there.
 */
import { createSocket, type Socket } from 'node:dgram';
import type { ServiceDeps } from '../runtime/deps.ts';
import {
  createTransferRecorder,
  type TransferRecord,
} from '../runtime/transfer-record.ts';
import type { Mac } from '../shared/mac.ts';
import type { Service } from '../shared/service.ts';
import { sharedSyncGroup } from '../shared/sync-group.ts';
import { type Clock, realClock } from './clock.ts';
import { negotiate } from './codec/negotiate.ts';
import {
  decode,
  ERR_ILLEGAL_OP,
  ERR_UNDEFINED,
  encodeError,
  type TftpPacket,
} from './codec/packet.ts';
import { startDownload } from './download.ts';
import { createHostBusy } from './host-busy.ts';
import {
  DEFAULT_RETRY,
  type RetryPolicy,
  SERVER_ENDS,
} from './machine/machine.ts';
import {
  createNativeDownloads,
  loadEngineAddon,
  type NativeDownloads,
} from './native/engine.ts';
import { bindSocket, enlargeReceiveBuffer } from './sockets.ts';
import { emptyStats, type TftpStats } from './stats.ts';
import {
  type AcceptedRequest,
  type Peer,
  refuse,
  type TransferHandle,
} from './transfer.ts';
import { startUpload } from './upload.ts';
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

type TftpSettings = ReturnType<
  ServiceDeps['model']['current']
>['services']['tftp'];

const MODES = new Set(['octet', 'netascii', 'mail']);

/**
 * SO_RCVBUF asked for on the listening socket: room for a few thousand queued requests (each costs its
 * buffer's truesize, about 1-2 KiB, in the kernel's count). Linux caps it at net.core.rmem_max.
 */
export const RECEIVE_BUFFER_BYTES = 4 * 1024 * 1024;

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
  let engine: NativeDownloads | undefined;
  if (!deps.clock && (deps.engine ?? 'native') === 'native') {
    const addon = loadEngineAddon();
    if (addon.ok) engine = createNativeDownloads(addon.value, stats);
    else
      log.warn(
        { err: addon.error },
        'tftp: native download engine unavailable, downloads run in the service thread',
      );
  }

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

  /** The outcome of a request: counted, and its one event and log line (the peer's port and, on failure, why). */
  const finish = (
    record: TransferRecord,
    peer: Peer,
    result: string,
    message: string,
    bytes: number,
  ): void => {
    if (result === 'ok') stats.completed++;
    else stats.failed++;
    record.finish(result, bytes, {
      port: peer.port,
      ...(result === 'ok' ? {} : { message }),
    });
  };
  /** Refuse on the main socket (before any transfer exists): one ERROR, then the outcome. */
  const refuseEarly = (
    peer: Peer,
    record: TransferRecord,
    code: number,
    message: string,
    result: string,
    why: string,
  ): void => {
    main.send(encodeError(code, message), peer.port, peer.address);
    finish(record, peer, result, why, 0);
  };

  function accept(
    req: Extract<TftpPacket, { op: 'rrq' | 'wrq' }>,
    peer: Peer,
  ): void {
    const key = `${peer.address}:${peer.port}`;
    if (running.has(key) || slots.isWaiting(key)) {
      stats.duplicates++;
      return;
    } // a repeated request while its transfer runs or waits for a slot
    const cfg = deps.model.current().services.tftp;
    const hostCount = slots.heldBy(peer.address);
    if (hostCount >= cfg.maxTransfersPerHost) {
      refuseHostBusy(peer, req.filename, hostCount);
      return;
    }
    const leaseMac = deps.leases.macForAddress(peer.address);
    const record = recorder.begin({
      protocol: 'tftp',
      direction: req.op === 'rrq' ? 'download' : 'upload',
      peer: peer.address,
      path: req.filename,
      mac: leaseMac,
    });
    const mode = req.mode.toLowerCase();
    if (!MODES.has(mode) || mode === 'mail') {
      refuseEarly(
        peer,
        record,
        ERR_ILLEGAL_OP,
        `unsupported mode "${req.mode}"`,
        'TFTP_BAD_MODE',
        `mode ${req.mode}`,
      );
      return;
    }
    if (mode === 'netascii') {
      refuseEarly(
        peer,
        record,
        ERR_UNDEFINED,
        'netascii mode is not supported: use octet (binary) mode',
        'TFTP_BAD_MODE',
        'netascii refused',
      );
      return;
    }
    slots.acquire({
      key,
      address: peer.address,
      maxTransfers: cfg.maxTransfers,
      start: () => begin(req, peer, key, record, leaseMac, cfg),
      refuse(why) {
        if (why === 'closing') {
          const { result, message } = SERVER_ENDS.shutdown;
          refuseEarly(peer, record, ERR_UNDEFINED, message, result, message);
          return;
        }
        stats.busy++;
        refuseEarly(
          peer,
          record,
          ERR_UNDEFINED,
          `server busy: ${stats.active} transfers in progress, retry later`,
          'TFTP_BUSY',
          'too many transfers',
        );
      },
    });
  }

  /** The request holds its slots: negotiate, then the download or upload runs until its outcome. */
  function begin(
    req: Extract<TftpPacket, { op: 'rrq' | 'wrq' }>,
    peer: Peer,
    key: string,
    record: TransferRecord,
    leaseMac: Mac | undefined,
    cfg: TftpSettings,
  ): void {
    running.set(key, undefined);
    const n = negotiate(req.op, req.options, { maxBlksize: cfg.maxBlksize });
    // The slots (the server's and the host's) are given back with the outcome: an upload lingering to re-ACK
    // its last block is done, and must not refuse the phone's next request (TFTP_BUSY in a boot storm).
    let phase: 'running' | 'lingering' | 'closed' = 'running';
    const releaseSlots = (): void => slots.release(peer.address);
    // The transfer's own socket (its TID), bound only when used: in-thread transfers and refusals.
    let socket: Socket | undefined;
    const accepted: AcceptedRequest = {
      peer,
      filename: req.filename,
      who: { mac: leaseMac },
      negotiated: n,
      tree: deps.tree.current(),
      clock,
      stats,
      // RFC 2349: a negotiated timeout is this transfer's retransmission interval (backoff still applies).
      lifetimeMs: cfg.maxTransferSeconds * 1000,
      retry:
        n.timeoutMs === undefined
          ? retry
          : {
              ...retry,
              initialMs: n.timeoutMs,
              maxMs: Math.max(retry.maxMs, n.timeoutMs),
            },
      finish(result, message, bytes, detail) {
        if (detail?.path !== undefined) record.setPath(detail.path);
        record.setMac(detail?.mac);
        record.setRelease(detail?.release);
        if (phase === 'running') {
          phase = 'lingering';
          stats.lingering++;
          releaseSlots();
        }
        finish(record, peer, result, message, bytes);
      },
      closed() {
        if (phase === 'closed') return;
        if (phase === 'lingering') stats.lingering--;
        else releaseSlots();
        phase = 'closed';
        running.delete(key);
      },
      closing: () => closing,
      async bind() {
        socket = createSocket('udp4');
        await bindSocket(socket, 0, deps.bindAddress);
        if (!closing) return socket;
        const { result, message } = SERVER_ENDS.shutdown;
        refuse(accepted, socket, ERR_UNDEFINED, message, result);
        return undefined;
      },
    };
    const started =
      req.op === 'rrq'
        ? startDownload(accepted, engine, deps.bindAddress)
        : startUpload(accepted, {
            protocol: 'tftp',
            peer: peer.address,
            mac: leaseMac,
            declaredSize: n.tsize,
          });
    started
      .then((handle) => {
        if (handle && phase !== 'closed') {
          running.set(key, handle);
          if (closing) handle.shutdown();
        }
      })
      .catch((e: unknown) => {
        log.error({ err: String(e), peer: key }, 'tftp transfer setup failed');
        try {
          socket?.close();
        } catch {
          /* closed */
        }
        if (phase !== 'closed') {
          accepted.finish('TFTP_IO', String(e), 0);
          accepted.closed();
        }
      });
  }

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
    if (p.value.op === 'rrq' || p.value.op === 'wrq') accept(p.value, peer);
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
