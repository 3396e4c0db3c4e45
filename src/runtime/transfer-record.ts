/**
 * The one transfer recorder of the file protocols (TFTP, FTP, HTTP/HTTPS): exactly one TransferEvent and one
 * JSON log line per transfer, whichever way it ends (the first finish() wins, so racing close and error
 * paths cannot emit twice). One clock (monotonic, durationMs to 0.1 ms) and one MAC rule: the MAC the
 * protocol knows (the peer's lease, an upload's target), else the one the file name carries.
 *
 * Log line: the event's fields, the firmware release whose folder answered (`release`, when one did: a
 * bootROM or resource file asked for at the site root, FileInfo.release), then what only that protocol knows
 * (`detail`, e.g. the FTP user, the HTTP status, the TFTP peer port and failure message), message
 * "transfer", at info level.
 */
import type { Logger } from 'pino';
import { type Mac, macFromFileName } from '../shared/mac.ts';
import type { EventSink, TransferEvent } from './events.ts';

export interface TransferStart {
  readonly protocol: TransferEvent['protocol'];
  readonly direction: TransferEvent['direction'];
  readonly peer: string;
  /** Known at the start, or later through setPath. */
  readonly path: string;
  readonly mac: Mac | undefined;
  /** HTTP only; the event has the key exactly when the start has it. */
  readonly userAgent?: string | undefined;
}

/** Protocol-specific fields for the log line only (never in the event). */
export type TransferDetail = Readonly<Record<string, unknown>>;

export interface TransferRecord {
  /** The path once it is known better (the tree's normalized path, the upload's target). */
  setPath(path: string): void;
  /** A MAC known better than the start's; undefined keeps what is known. */
  setMac(mac: Mac | undefined): void;
  /** The release whose folder answered (the tree's FileInfo.release); undefined keeps what is known. */
  setRelease(release: string | undefined): void;
  /** Record the outcome; later calls are ignored. Returns true the first time. */
  finish(result: string, bytes: number, detail?: TransferDetail): boolean;
  readonly finished: boolean;
}

export interface TransferRecorder {
  begin(start: TransferStart): TransferRecord;
}

/** Paths in events and log lines are cut to this length (a hostile client can send long ones). */
const MAX_PATH = 512;

export function createTransferRecorder(deps: {
  readonly events: EventSink;
  readonly log: Logger;
  readonly now?: () => number;
}): TransferRecorder {
  const now = deps.now ?? (() => performance.now());
  return {
    begin(start) {
      const began = now();
      let path = start.path.slice(0, MAX_PATH);
      let mac = start.mac;
      let release: string | undefined;
      let finished = false;
      return {
        setPath(p) {
          path = p.slice(0, MAX_PATH);
        },
        setMac(m) {
          if (m !== undefined) mac = m;
        },
        setRelease(r) {
          if (r !== undefined) release = r;
        },
        get finished() {
          return finished;
        },
        finish(result, bytes, detail) {
          if (finished) return false;
          finished = true;
          const event: TransferEvent = {
            type: 'transfer',
            protocol: start.protocol,
            direction: start.direction,
            peer: start.peer,
            mac: mac ?? macFromFileName(path),
            path,
            bytes,
            durationMs: Math.round((now() - began) * 10) / 10,
            result,
            ...('userAgent' in start ? { userAgent: start.userAgent } : {}),
          };
          deps.events.emit(event);
          deps.log.info(
            {
              ...event,
              ...(release === undefined ? {} : { release }),
              ...detail,
            },
            'transfer',
          );
          return true;
        },
      };
    },
  };
}
