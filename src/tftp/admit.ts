/**
 * Admission of a TFTP request on the listening socket, before any transfer exists: a repeat of a request that
 * runs or waits is a duplicate, a host over maxTransfersPerHost is refused TFTP_HOST_BUSY, a mode other than
 * octet TFTP_BAD_MODE; the rest wait for a slot (waiting-room.ts) and start (start-transfer.ts) or are refused.
 */
import type { Socket } from 'node:dgram';
import type {
  TransferRecord,
  TransferRecorder,
} from '../runtime/transfer-record.ts';
import type { Peer } from './accepted.ts';
import { ERR_ILLEGAL_OP, ERR_UNDEFINED, encodeError } from './codec/packet.ts';
import type { RefuseHostBusy } from './host-busy.ts';
import { SERVER_ENDS } from './machine/machine.ts';
import {
  recordOutcome,
  startTransfer,
  type TftpRequest,
  type TransferContext,
} from './start-transfer.ts';

const MODES = new Set(['octet', 'netascii', 'mail']);

export interface AdmissionContext extends TransferContext {
  readonly recorder: TransferRecorder;
  /** The listening socket: early refusals are sent from it. */
  readonly main: Socket;
  readonly refuseHostBusy: RefuseHostBusy;
}

/** Refuse on the main socket (before any transfer exists): one ERROR, then the outcome. */
function refuseEarly(
  ctx: AdmissionContext,
  peer: Peer,
  record: TransferRecord,
  code: number,
  message: string,
  result: string,
  why: string,
): void {
  ctx.main.send(encodeError(code, message), peer.port, peer.address);
  recordOutcome(ctx.stats, record, peer, result, why, 0);
}

export function admitRequest(
  ctx: AdmissionContext,
  req: TftpRequest,
  peer: Peer,
): void {
  const { deps, stats, slots } = ctx;
  const key = `${peer.address}:${peer.port}`;
  if (ctx.running.has(key) || slots.isWaiting(key)) {
    stats.duplicates++;
    return;
  } // a repeated request while its transfer runs or waits for a slot
  const cfg = deps.model.current().services.tftp;
  const hostCount = slots.heldBy(peer.address);
  if (hostCount >= cfg.maxTransfersPerHost) {
    ctx.refuseHostBusy(peer, req.filename, hostCount);
    return;
  }
  const leaseMac = deps.leases.macForAddress(peer.address);
  const record = ctx.recorder.begin({
    protocol: 'tftp',
    direction: req.op === 'rrq' ? 'download' : 'upload',
    peer: peer.address,
    path: req.filename,
    mac: leaseMac,
  });
  const mode = req.mode.toLowerCase();
  if (!MODES.has(mode) || mode === 'mail') {
    refuseEarly(
      ctx,
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
      ctx,
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
    start: () => startTransfer(ctx, req, peer, key, record, leaseMac, cfg),
    refuse(why) {
      if (why === 'closing') {
        const { result, message } = SERVER_ENDS.shutdown;
        refuseEarly(ctx, peer, record, ERR_UNDEFINED, message, result, message);
        return;
      }
      stats.busy++;
      refuseEarly(
        ctx,
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
