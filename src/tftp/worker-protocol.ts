/**
 * Messages between the TFTP service thread (pool.ts) and its download worker threads (worker.ts).
 *
 * The service thread keeps everything that touches the tree, the config, events and logs: it accepts the
 * RRQ, opens the file through tree.open, negotiates, and hands the transfer to a worker, which binds the
 * transfer's socket (its TID) and runs the send machine. A file on disk is read by the worker itself from
 * the descriptor the tree opened (no bytes cross threads, nothing is read ahead in the service thread);
 * other bytes (a rendered file) follow on request in chunks (copied into a fresh ArrayBuffer and
 * transferred, so no tree buffer is ever detached); the outcome comes back.
 */
import type { DownloadSpec } from './download.ts';
import type { TftpStats } from './stats.ts';
import type { Peer } from './transfer.ts';

export type ToWorker =
  /**
   * fromFile: the bytes will come as a 'file' message (the worker reads the descriptor itself), so the
   * worker must not ask for chunks.
   */
  | { readonly t: 'start'; readonly id: number; readonly peer: Peer; readonly bindAddress: string | undefined; readonly spec: DownloadSpec; readonly fromFile: boolean }
  /**
   * The open file behind the transfer: the worker reads bytes start..end (inclusive; Infinity: to the end)
   * from fd with positional reads. The service thread owns fd and closes it only after 'closed'.
   */
  | { readonly t: 'file'; readonly id: number; readonly fd: number; readonly start: number; readonly end: number }
  /** File bytes (possibly none) and whether the file ends here. */
  | { readonly t: 'chunk'; readonly id: number; readonly data: ArrayBuffer; readonly end: boolean }
  | { readonly t: 'fail'; readonly id: number; readonly message: string }
  | { readonly t: 'shutdown'; readonly id: number };

/** Counters a worker adds to the service's stats (it sends differences, never totals). */
export type StatsDelta = Partial<Pick<TftpStats, 'malformed' | 'wrongTid' | 'duplicates' | 'unexpected' | 'retransmits' | 'bytesSent'>>;

export type FromWorker =
  | { readonly t: 'ready' }
  /** The worker wants more bytes of transfer id. */
  | { readonly t: 'more'; readonly id: number }
  | { readonly t: 'finish'; readonly id: number; readonly result: string; readonly message: string; readonly bytes: number }
  /** The transfer's socket is released; id is forgotten. */
  | { readonly t: 'closed'; readonly id: number }
  | { readonly t: 'stats'; readonly delta: StatsDelta };
