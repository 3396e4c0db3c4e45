/**
 * One TransferEvent and one JSON log line per HTTP request that names a file (download or upload, success
 * or failure). finish() is idempotent: the first call wins, so racing close/error paths cannot emit twice.
 */
import type { Logger } from 'pino';
import type { EventSink, TransferEvent } from '../runtime/events.ts';
import { macFromFileName, type Mac } from '../shared/mac.ts';

export interface TransferRecord {
  /** Known once the path is parsed or the upload target is known. */
  setPath(path: string): void;
  setMac(mac: Mac | undefined): void;
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
}



export function startRecord(deps: { events: EventSink; log: Logger }, start: TransferStart): TransferRecord {
  const began = performance.now();
  let path = start.path.slice(0, 512);
  let mac = start.mac;
  let finished = false;
  return {
    setPath(p) { path = p.slice(0, 512); },
    setMac(m) { if (m !== undefined) mac = m; },
    get finished() { return finished; },
    finish(result, bytes) {
      if (finished) return;
      finished = true;
      const event: TransferEvent = {
        type: 'transfer',
        protocol: start.protocol,
        direction: start.direction,
        peer: start.peer,
        mac: mac ?? macFromFileName(path),
        path,
        bytes,
        durationMs: Math.round((performance.now() - began) * 10) / 10,
        result,
        userAgent: start.userAgent,
      };
      deps.events.emit(event);
      deps.log.info({ ...event, status: start.status() }, 'transfer');
    },
  };
}
