/**
 * The FTP client's sockets: connecting (control and data connections, bounded by the timeout), reading a
 * RETR's data connection into one shared buffer, and writing a STOR's data.
 */
import net from 'node:net';
import { err, ok, type Result } from '../../src/shared/result.ts';
import { type SimError, simError } from './errors.ts';
import { type ClientContext, Collector, type Fetched } from './transfer.ts';

/**
 * The one buffer every data connection of the process reads into: each chunk is consumed (hashed, copied if
 * kept) synchronously in the read callback, before the next read reuses the buffer.
 */
const READ_BUFFER = Buffer.allocUnsafe(64 * 1024);

/** onChunk: read into the shared READ_BUFFER and hand each chunk over (no 'data' events, no buffer per read). */
export const connect = (
  host: string,
  port: number,
  ctx: ClientContext,
  onChunk?: (chunk: Buffer) => void,
): Promise<Result<net.Socket, SimError>> =>
  new Promise((resolve) => {
    const s = net.connect({
      host,
      port,
      ...(ctx.localAddress ? { localAddress: ctx.localAddress } : {}),
      ...(onChunk
        ? {
            onread: {
              buffer: READ_BUFFER,
              callback: (n: number, b: Uint8Array) => {
                onChunk(Buffer.from(b.buffer, b.byteOffset, n));
                return true;
              },
            },
          }
        : {}),
    });
    const timer = setTimeout(() => {
      s.destroy();
      resolve(
        err(simError('SIM_TIMEOUT', `FTP connect ${host}:${port} timed out`)),
      );
    }, ctx.timeoutMs);
    s.once('connect', () => {
      clearTimeout(timer);
      resolve(ok(s));
    });
    s.once('error', (e) => {
      clearTimeout(timer);
      resolve(
        err(simError('SIM_IO', `FTP connect ${host}:${port}: ${e.message}`)),
      );
    });
  });

/**
 * A RETR's data: chunks are hashed (and copied when kept) by the Collector as they are read, so the shared
 * read buffer is free again when onChunk returns; `read` then waits for the end (or a stall).
 */
export const retrieve = (keep: boolean, timeoutMs: number) => {
  const col = new Collector(keep);
  let timer: NodeJS.Timeout | undefined;
  return {
    onChunk: (c: Buffer): void => {
      col.add(c);
      timer?.refresh();
    },
    read: (s: net.Socket): Promise<Result<Fetched, SimError>> =>
      new Promise((resolve) => {
        timer = setTimeout(() => {
          s.destroy();
          resolve(err(simError('SIM_TIMEOUT', 'FTP data connection stalled')));
        }, timeoutMs);
        const end = (): void => {
          clearTimeout(timer);
          resolve(ok(col.done()));
        };
        if (s.readableEnded) {
          end();
          return;
        }
        s.on('end', end);
        s.on('error', (e) => {
          clearTimeout(timer);
          resolve(err(simError('SIM_IO', `FTP data: ${e.message}`)));
        });
      }),
  };
};

/** A STOR's data: all of it, then the end of the connection. */
export const writeAll = (
  s: net.Socket,
  data: Buffer,
): Promise<Result<Fetched, SimError>> =>
  new Promise((resolve) => {
    s.on('error', (e) =>
      resolve(err(simError('SIM_IO', `FTP data: ${e.message}`))),
    );
    s.end(data, () => resolve(ok(new Collector(false).done())));
  });
