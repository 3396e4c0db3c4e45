/**
 * A TFTP request that holds its transfer slots: negotiated, given its AcceptedRequest (retransmit policy and
 * lifetime, the slots given back with its outcome, its own socket bound only when used) and started as a
 * download or an upload. Also the outcome every request ends with, run or refused early (recordOutcome).
 */
import { createSocket, type Socket } from 'node:dgram';
import type { Logger } from 'pino';
import type { ServiceDeps } from '../runtime/deps.ts';
import type { TransferRecord } from '../runtime/transfer-record.ts';
import type { Mac } from '../shared/mac.ts';
import {
  type AcceptedRequest,
  type Peer,
  refuse,
  type TransferHandle,
} from './accepted.ts';
import type { Clock } from './clock.ts';
import { negotiate } from './codec/negotiate.ts';
import { ERR_UNDEFINED, type TftpPacket } from './codec/packet.ts';
import { startDownload } from './download.ts';
import { type RetryPolicy, SERVER_ENDS } from './machine/machine.ts';
import type { NativeDownloads } from './native/engine.ts';
import { bindSocket } from './sockets.ts';
import type { TftpStats } from './stats.ts';
import { startUpload } from './upload.ts';
import type { TransferSlots } from './waiting-room.ts';

export type TftpRequest = Extract<TftpPacket, { op: 'rrq' | 'wrq' }>;

export type TftpSettings = ReturnType<
  ServiceDeps['model']['current']
>['services']['tftp'];

/** What the server shares with each request it takes. */
export interface TransferContext {
  readonly deps: ServiceDeps;
  readonly log: Logger;
  readonly clock: Clock;
  readonly retry: RetryPolicy;
  readonly stats: TftpStats;
  readonly slots: TransferSlots;
  /** Transfers by the peer's address:port; undefined while one is being set up. */
  readonly running: Map<string, TransferHandle | undefined>;
  /** The native download engine, if it runs downloads. */
  readonly engine: NativeDownloads | undefined;
  /** The server is closing. */
  readonly closing: () => boolean;
}

/** The outcome of a request: counted, and its one event and log line (the peer's port and, on failure, why). */
export function recordOutcome(
  stats: TftpStats,
  record: TransferRecord,
  peer: Peer,
  result: string,
  message: string,
  bytes: number,
): void {
  if (result === 'ok') stats.completed++;
  else stats.failed++;
  record.finish(result, bytes, {
    port: peer.port,
    ...(result === 'ok' ? {} : { message }),
  });
}

/** The request holds its slots: negotiate, then the download or upload runs until its outcome. */
export function startTransfer(
  ctx: TransferContext,
  req: TftpRequest,
  peer: Peer,
  key: string,
  record: TransferRecord,
  leaseMac: Mac | undefined,
  cfg: TftpSettings,
): void {
  const { deps, stats, slots, running, retry } = ctx;
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
    clock: ctx.clock,
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
      recordOutcome(stats, record, peer, result, message, bytes);
    },
    closed() {
      if (phase === 'closed') return;
      if (phase === 'lingering') stats.lingering--;
      else releaseSlots();
      phase = 'closed';
      running.delete(key);
    },
    closing: ctx.closing,
    async bind() {
      socket = createSocket('udp4');
      await bindSocket(socket, 0, deps.bindAddress);
      if (!ctx.closing()) return socket;
      const { result, message } = SERVER_ENDS.shutdown;
      refuse(accepted, socket, ERR_UNDEFINED, message, result);
      return undefined;
    },
  };
  const started =
    req.op === 'rrq'
      ? startDownload(accepted, ctx.engine, deps.bindAddress)
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
        if (ctx.closing()) handle.shutdown();
      }
    })
    .catch((e: unknown) => {
      ctx.log.error(
        { err: String(e), peer: key },
        'tftp transfer setup failed',
      );
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
