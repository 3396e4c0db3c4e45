/**
 * What the two transfer state machines (send.ts for RRQ, receive.ts for WRQ) have in common: the actions they
 * ask the socket shell to perform, and the retransmit policy. The machines are pure reducers
 * step(state, event) → { state, actions }; the shell owns sockets, timers, the file stream and the upload.
 */
import {
  ERR_UNDEFINED,
  type TftpOption,
  type TftpPacket,
} from '../codec/packet.ts';

/** Retransmit policy: exponential backoff from initialMs, capped at maxMs, giving up after maxRetries. */
export interface RetryPolicy {
  readonly initialMs: number;
  readonly maxMs: number;
  readonly maxRetries: number;
}

/** What a transfer was negotiated to: the same for both directions. */
export interface TransferConfig {
  readonly blksize: number;
  readonly windowsize: number;
  /** OACK options to send first (undefined: none accepted). */
  readonly oack: readonly TftpOption[] | undefined;
  readonly retry: RetryPolicy;
}

export const DEFAULT_RETRY: RetryPolicy = {
  initialMs: 1000,
  maxMs: 8000,
  maxRetries: 5,
};

/** Wait before the next retransmission after `retries` unanswered ones. */
export function backoff(p: RetryPolicy, retries: number): number {
  return Math.min(p.initialMs * 2 ** retries, Math.max(p.maxMs, p.initialMs));
}

export type Action =
  /** Send a packet to the peer's TID. */
  | { readonly type: 'send'; readonly packet: TftpPacket }
  /** (Re)arm the single retransmit timer; it fires a 'timeout' event. */
  | { readonly type: 'arm'; readonly ms: number }
  /** Sender: read the next block from the file (answered by a 'block' or 'readError' event). */
  | { readonly type: 'read' }
  /** Receiver: append bytes to the upload (in order; a failure comes back as 'ioError'). */
  | { readonly type: 'write'; readonly data: Uint8Array }
  /** Receiver: all bytes are in; commit the upload (answered by 'committed' or 'ioError'). */
  | { readonly type: 'commit' }
  /** Counters for stats(); no effect on the transfer. */
  | {
      readonly type: 'note';
      readonly what: 'retransmit' | 'duplicate' | 'unexpected';
    }
  /** The outcome is decided: 'ok' or a stable error code. Emitted exactly once per transfer. */
  | {
      readonly type: 'finish';
      readonly result: string;
      readonly message: string;
      readonly bytes: number;
    }
  /** Release the socket and timer (after finish; a receiver lingers to re-ACK a repeated last block). */
  | { readonly type: 'close' };

export interface Step<S> {
  readonly state: S;
  readonly actions: readonly Action[];
}

/** Events both machines understand. */
export type CommonEvent =
  | { readonly type: 'start' }
  | { readonly type: 'timeout' }
  /** The peer sent an ERROR packet: the transfer ends without a reply. */
  | {
      readonly type: 'peerError';
      readonly code: number;
      readonly message: string;
    }
  /** The server is closing: tell the peer and end. */
  | { readonly type: 'shutdown' }
  /** The transfer has run for its whole lifetime (the shell's timer): tell the peer and end. */
  | { readonly type: 'expired' };

/** What the shell tells the send machine (serving an RRQ). */
export type SendEvent =
  | CommonEvent
  | { readonly type: 'ack'; readonly block: number }
  | { readonly type: 'block'; readonly data: Uint8Array }
  | {
      readonly type: 'readError';
      readonly code: number;
      readonly result: string;
      readonly message: string;
    };

/** What the shell tells the receive machine (serving a WRQ). */
export type ReceiveEvent =
  | CommonEvent
  | { readonly type: 'data'; readonly block: number; readonly data: Uint8Array }
  | { readonly type: 'written' }
  | { readonly type: 'committed' }
  | {
      readonly type: 'ioError';
      readonly code: number;
      readonly result: string;
      readonly message: string;
    };

/** How the server itself ends a transfer, by the event that ends it: the outcome and the peer's ERROR 0. */
export const SERVER_ENDS = {
  shutdown: { result: 'TFTP_SHUTDOWN', message: 'server shutting down' },
  expired: { result: 'TFTP_LIFETIME', message: 'transfer took too long' },
} as const;

/** The actions that end a transfer: `first` (an ERROR to the peer, if any), the outcome, then the release. */
export const ending = (
  result: string,
  message: string,
  bytes: number,
  first: readonly Action[] = [],
): Action[] => [
  ...first,
  { type: 'finish', result, message, bytes },
  { type: 'close' },
];

/** ERROR 0 to the peer (we time out, shut down or end the transfer). */
export const sendError = (message: string): Action => ({
  type: 'send',
  packet: { op: 'error', code: ERR_UNDEFINED, message },
});
