/**
 * The transfer record of one HTTP request that names a file (download or upload, success or failure): the
 * runtime's recorder (runtime/transfer-record.ts, one event and one log line, the first finish wins) with
 * the response status in the log line. A connection cut while the server shuts down is recorded
 * HTTP_SERVER_SHUTDOWN, not HTTP_CLIENT_ABORTED: the client did not go away, the server closed it.
 */
import type { Logger } from 'pino';
import type { EventSink } from '../runtime/events.ts';
import { createTransferRecorder } from '../runtime/transfer-record.ts';
import type { Mac } from '../shared/mac.ts';

export interface TransferRecord {
  /** Known once the path is parsed or the upload target is known. */
  setPath(path: string): void;
  setMac(mac: Mac | undefined): void;
  /** The release whose folder answered (FileInfo.release), for the log line. */
  setRelease(release: string | undefined): void;
  finish(result: string, bytes: number): void;
  readonly finished: boolean;
}

export interface TransferStart {
  readonly protocol: 'http' | 'https';
  readonly direction: 'download' | 'upload';
  readonly peer: string;
  readonly path: string;
  readonly mac: Mac | undefined;
  readonly userAgent: string | undefined;
  readonly status: () => number;
  /** True once the server has begun to close (its own connection cuts are then not the client's doing). */
  readonly closing?: () => boolean;
}

export function startRecord(
  deps: { events: EventSink; log: Logger },
  start: TransferStart,
): TransferRecord {
  const { status, closing, ...event } = start;
  const record = createTransferRecorder(deps).begin(event);
  return {
    setPath: record.setPath,
    setMac: record.setMac,
    setRelease: record.setRelease,
    get finished() {
      return record.finished;
    },
    finish(result, bytes) {
      const cut = result === 'HTTP_CLIENT_ABORTED' && closing?.() === true;
      record.finish(cut ? 'HTTP_SERVER_SHUTDOWN' : result, bytes, {
        status: status(),
      });
    },
  };
}
