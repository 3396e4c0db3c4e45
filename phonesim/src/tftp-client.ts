/**
 * A TFTP client (RFC 1350, options RFC 2347/2348/2349) built on the appliance's packet codec: RRQ/WRQ with
 * blksize and tsize, lock-step DATA/ACK, retransmission on timeout, block numbers rolling over at 65536.
 * One UDP socket (a fresh TID) per transfer, bound to the phone's address when it has one. Never throws.
 *
 * Downloads run in the native loop of tftp-download.c (one process simulates hundreds of phones downloading at
 * once in a boot storm: the per-block work stays out of JavaScript). Uploads (logs, call lists, overrides: a
 * few blocks each) are tftp-upload.ts, on a conversation of tftp-conversation.ts: a callback-driven state
 * machine with one re-armed timer, the same rules as the native loop.
 */
import type { Result } from '../../src/shared/result.ts';
import type { BootLocation } from './boot-server.ts';
import type { SimError } from './errors.ts';
import { download } from './tftp-download.ts';
import { upload } from './tftp-upload.ts';
import {
  type ClientContext,
  type Fetched,
  type FileClient,
  joinPath,
} from './transfer.ts';

export interface TftpOptions {
  /** blksize to ask for; 0 sends no options (plain RFC 1350, 512-byte blocks). */
  readonly blksize: number;
  /** Wait for a packet before retransmitting (ms). */
  readonly packetTimeoutMs: number;
  /** Retransmissions of one packet before giving up. */
  readonly maxRetries: number;
}

export const DEFAULT_TFTP: TftpOptions = {
  blksize: 1468,
  packetTimeoutMs: 1000,
  maxRetries: 5,
};

export function createTftpClient(
  loc: BootLocation,
  ctx: ClientContext,
  opts: TftpOptions = DEFAULT_TFTP,
): FileClient {
  let retries = 0;
  const by = { 'tftp-request': 0, 'tftp-block': 0, 'tftp-upload': 0 };
  const onRetry = (): void => {
    retries++;
    by['tftp-upload']++;
  };
  const server = { port: loc.port, address: loc.host };

  const get = async (
    path: string,
    keep: boolean,
  ): Promise<Result<Fetched, SimError>> => {
    const r = await download({
      localAddress: ctx.localAddress,
      server,
      filename: joinPath(loc.base, path),
      blksize: opts.blksize,
      packetTimeoutMs: opts.packetTimeoutMs,
      maxRetries: opts.maxRetries,
      keep,
    });
    retries += r.retries;
    by['tftp-request'] += r.requestRetries;
    by['tftp-block'] += r.retries - r.requestRetries;
    return r.result;
  };

  const put = (path: string, data: Buffer): Promise<Result<void, SimError>> =>
    upload(
      ctx.localAddress,
      server,
      opts,
      joinPath(loc.base, path),
      data,
      onRetry,
    );

  return {
    get: (path, _ua, keep = true) => get(path, keep),
    put: (path, data) => put(path, data),
    retries: () => retries,
    retriesBy: () => ({ ...by }),
    async close() {
      /* one socket per transfer, already closed */
    },
  };
}
