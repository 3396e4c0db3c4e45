/**
 * The FTP client's sockets: connecting (control and data connections, bounded by the timeout), reading a
 * RETR's data connection into one shared buffer, and writing a STOR's data.
 *
 * A RETR's data connection carries one file and ends with the server's FIN, so it is read with SO_RCVLOWAT at
 * the buffer's size (rcvlowat.ts, as http-wire.ts reads large bodies): the reader wakes once per buffer, or
 * at the end, instead of once per segment or two. The bytes on the wire and their timing stay the kernel's.
 */
import net from 'node:net';
import { err, ok, type Result } from '../../src/shared/result.ts';
import { type SimError, simError } from './errors.ts';
import { setRcvLowat } from './rcvlowat.ts';
import { type ClientContext, Collector, type Fetched } from './transfer.ts';

/**
 * The one buffer every data connection of the process reads into: each chunk is consumed (hashed, copied if
 * kept) synchronously in the read callback, before the next read reuses the buffer.
 */
const READ_BUFFER = Buffer.allocUnsafe(256 * 1024);

/**
 * onChunk: read into the shared READ_BUFFER and hand each chunk over (no 'data' events, no buffer per read),
 * with the socket's low-water mark at the buffer's size (the FIN still wakes the reader for a shorter tail).
 */
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
      if (onChunk) setRcvLowat(s, READ_BUFFER.length);
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
  let reads = 0;
  return {
    onChunk: (c: Buffer): void => {
      reads++;
      col.add(c);
      timer?.refresh();
    },
    /** How many reads the data connection took (ftp-data.test.ts). */
    reads: (): number => reads,
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
