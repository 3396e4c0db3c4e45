/**
 * One TransferEvent and one log line per FTP transfer, exactly once, whichever way it ends: ftp-srv's
 * RETR/STOR outcome, a refusal before any byte, or the client vanishing (the connection's close sweeps
 * whatever is still open).
 */
import type { Logger } from 'pino';
import type { EventSink, TransferEvent } from '../runtime/events.ts';
import type { Mac } from '../shared/mac.ts';

export interface TransferStart {
  readonly direction: 'download' | 'upload';
  readonly peer: string;
  readonly path: string;
  readonly mac: Mac | undefined;
  readonly user: string;
}

export interface Transfer {
  readonly start: TransferStart;
  /** Set the byte count as it grows (uploads) or at the end (downloads). */
  bytes: number;
  /** Record the outcome; later calls are ignored. Returns true the first time. */
  finish(result: string, bytes?: number): boolean;
  readonly done: boolean;
  /** Called by sweep() for transfers still open when their connection closes. */
  onSweep: ((reason: string) => void) | undefined;
  /** Bytes actually sent, for a download that failed part way (the data socket's count). */
  sent: (() => number) | undefined;
}

export function createTransferLog(events: EventSink, log: Logger, now: () => number = Date.now) {
  return {
    begin(start: TransferStart): Transfer {
      const t0 = now();
      let done = false;
      const t: Transfer = {
        start,
        bytes: 0,
        onSweep: undefined,
        sent: undefined,
        get done() { return done; },
        finish(result, bytes) {
          if (done) return false;
          done = true;
          if (bytes !== undefined) t.bytes = bytes;
          const event: TransferEvent = {
            type: 'transfer', protocol: 'ftp', direction: start.direction, peer: start.peer, mac: start.mac,
            path: start.path, bytes: t.bytes, durationMs: now() - t0, result,
          };
          events.emit(event);
          const line = { ...event, user: start.user };
          if (result === 'ok') log.info(line, 'ftp transfer');
          else log.warn(line, 'ftp transfer failed');
          return true;
        },
      };
      return t;
    },
  };
}

export type TransferLog = ReturnType<typeof createTransferLog>;

/** The transfers of one control connection. */
export class ConnectionTransfers {
  readonly #open = new Set<Transfer>();
  add(t: Transfer): Transfer {
    this.#open.add(t);
    return t;
  }
  /** The most recent unfinished download (ftp-srv runs one transfer at a time per connection). */
  currentDownload(): Transfer | undefined {
    let last: Transfer | undefined;
    for (const t of this.#open) if (!t.done && t.start.direction === 'download') last = t;
    return last;
  }
  settle(t: Transfer): void {
    this.#open.delete(t);
  }
  /** The connection closed: end everything still open. */
  sweep(reason: string): void {
    for (const t of [...this.#open]) {
      this.#open.delete(t);
      if (t.done) continue;
      if (t.onSweep) t.onSweep(reason);
      t.finish(reason, t.sent?.());
    }
  }
}
