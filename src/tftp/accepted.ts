/**
 * A TFTP request once the server accepted it, before its own socket exists: what every way of running it
 * receives (AcceptedRequest: peer, negotiated options, tree, retransmit policy, the one outcome), what the
 * server keeps of it while it runs (TransferHandle), and its refusal before any transfer began (refuse).
 */
import type { Socket } from 'node:dgram';
import type { Mac } from '../shared/mac.ts';
import type { FileTree, Requester } from '../tree/types.ts';
import type { Clock } from './clock.ts';
import type { Negotiated } from './codec/negotiate.ts';
import { encodeError } from './codec/packet.ts';
import type { RetryPolicy } from './machine/machine.ts';
import type { TftpStats } from './stats.ts';

export interface Peer {
  readonly address: string;
  readonly port: number;
}

/** The outcome, exactly once; path/mac refine what the transfer event reports, release is the folder that answered. */
export type Finish = (
  result: string,
  message: string,
  bytes: number,
  detail?: {
    path?: string;
    mac?: Mac | undefined;
    release?: string | undefined;
  },
) => void;

/** An accepted RRQ or WRQ, before its own socket exists (a download the engine runs never needs one). */
export interface AcceptedRequest {
  readonly peer: Peer;
  readonly filename: string;
  /** Who asks (the MAC its lease binds to the peer address): picks the release of a resource file at the root. */
  readonly who: Requester;
  readonly negotiated: Negotiated;
  readonly tree: FileTree;
  readonly clock: Clock;
  readonly stats: TftpStats;
  /** This transfer's retransmit policy (a negotiated timeout already applied). */
  readonly retry: RetryPolicy;
  /** How long the transfer may run at most (services.tftp.maxTransferSeconds). */
  readonly lifetimeMs: number;
  readonly finish: Finish;
  /** Called once when everything the transfer held is released. */
  readonly closed: () => void;
  /** The server is closing: refuse instead of starting. */
  readonly closing: () => boolean;
  /**
   * Binds the transfer's own socket (a fresh TID); undefined if the server began closing meanwhile, the
   * request then refused from that socket ("server shutting down").
   */
  readonly bind: () => Promise<Socket | undefined>;
}

/** What the server keeps of a running transfer. */
export interface TransferHandle {
  shutdown(): void;
}

/** Refuse before any transfer began: one ERROR from the transfer's TID, then release everything. */
export function refuse(
  a: AcceptedRequest,
  socket: Socket,
  code: number,
  message: string,
  result: string,
): void {
  socket.send(encodeError(code, message), a.peer.port, a.peer.address, () => {
    try {
      socket.close();
    } catch {
      /* closed */
    }
  });
  a.finish(result, message, 0);
  a.closed();
}
