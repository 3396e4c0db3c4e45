/**
 * One transfer record per FTP transfer (runtime/transfer-record.ts: one event, one log line), finished
 * exactly once whichever way it ends: ftp-srv's RETR/STOR outcome, a refusal before any byte, or the client
 * vanishing (the connection's close sweeps whatever is still open).
 */
import type { Logger } from 'pino';
import type { EventSink } from '../runtime/events.ts';
import { createTransferRecorder } from '../runtime/transfer-record.ts';
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
  /** The release whose folder answered a download (FileInfo.release), for the log line. */
  setRelease(release: string | undefined): void;
  /** Record the outcome; later calls are ignored. Returns true the first time. */
  finish(result: string, bytes?: number): boolean;
  readonly done: boolean;
  /** Called by sweep() for transfers still open when their connection closes. */
  onSweep: ((reason: string) => void) | undefined;
  /** Bytes actually sent, for a download that failed part way (the data socket's count). */
  sent: (() => number) | undefined;
}

export function createTransferLog(
  events: EventSink,
  log: Logger,
  now?: () => number,
) {
  const recorder = createTransferRecorder({ events, log, now });
  return {
    begin(start: TransferStart): Transfer {
      const record = recorder.begin({
        protocol: 'ftp',
        direction: start.direction,
        peer: start.peer,
        path: start.path,
        mac: start.mac,
      });
      const t: Transfer = {
        start,
        bytes: 0,
        onSweep: undefined,
        sent: undefined,
        get done() {
          return record.finished;
        },
        setRelease: record.setRelease,
        finish(result, bytes) {
          if (record.finished) return false;
          if (bytes !== undefined) t.bytes = bytes;
          return record.finish(result, t.bytes, { user: start.user });
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
    for (const t of this.#open)
      if (!t.done && t.start.direction === 'download') last = t;
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
