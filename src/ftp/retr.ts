/**
 * RETR's stream: a file of the tree opened for a download, sent by the kernel over a plain data connection
 * (sendfile-stream.ts) or read into a ring of recycled buffers (over TLS, or with sendfile off), and tied to
 * its transfer record (bytes, release, sweep, bytes sent). filesystem.ts resolves the path first.
 */
import { ReadStream } from 'node:fs';
import type { Socket } from 'node:net';
import type { Readable } from 'node:stream';
import type { FtpConnection } from 'ftp-srv';
import type { Mac } from '../shared/mac.ts';
import { loadSendfile, plainSocketFd } from '../shared/sendfile.ts';
import { RecyclingFileStream, ringChunk } from '../tree/recycling-stream.ts';
import type { FileTree } from '../tree/types.ts';
import { treeReadError } from './errors.ts';
import { SendfileStream } from './sendfile-stream.ts';
import type { Transfer } from './transfers.ts';

export interface RetrContext {
  /** Downloads reading from disk right now, server-wide (sizes their buffers: retrChunk). */
  readonly reads: { active: number };
}

/**
 * RETR over a plain data connection is sent by the kernel (sendfile-stream.ts). Over TLS (or with sendfile
 * off) it reads into a ring of 4 buffers per download (tree recycling-stream.ts): ftp-srv writes one chunk and
 * waits for the data socket to take it before the next, so a download holds its ring for good instead of
 * leaving a fresh buffer per chunk to the collector, and gives it back for the next download once its data
 * socket has closed. The chunk is sized from a budget of 32 MiB over the
 * downloads running when one starts, between 16 and 64 KiB: large chunks are faster, a storm's hundreds of
 * downloads must not hold their rings at 64 KiB. Figures: bench/results/ftp.md, "RETR buffers".
 */
const RETR_RING = 4;
const RETR_BUDGET = 32 * 1024 * 1024;
export const retrChunk = (active: number): number =>
  ringChunk(active, RETR_RING, RETR_BUDGET);

/** The stream RETR sends of `path` (resolved and confined), from `start`; throws the FTP reply of a tree error. */
export async function openRetr(
  ctx: RetrContext,
  connection: FtpConnection,
  tree: FileTree,
  path: string,
  start: number | undefined,
  leaseMac: Mac | undefined,
  t: Transfer,
): Promise<Readable> {
  const data = (
    connection as unknown as {
      connector?: { socket?: Socket | null };
    }
  ).connector?.socket;
  // A plain data connection: the kernel sends the file (sendfile-stream.ts); over TLS it is streamed.
  const sendfile =
    plainSocketFd(data) === undefined ? undefined : loadSendfile();
  const r = await tree.open(
    path,
    sendfile?.ok
      ? { start, who: { mac: leaseMac } }
      : {
          start,
          chunk: retrChunk(ctx.reads.active + 1),
          ring: RETR_RING,
          who: { mac: leaseMac },
        },
  );
  if (!r.ok) throw treeReadError(r.error);
  const { info } = r.value;
  t.bytes = Math.max(0, info.size - (start ?? 0));
  const stream =
    sendfile?.ok && data && r.value.stream instanceof ReadStream
      ? new SendfileStream(
          sendfile.value,
          r.value.stream,
          data,
          start ?? 0,
          t.bytes,
        )
      : r.value.stream;
  t.setRelease(info.release);
  ctx.reads.active++;
  stream.once('close', () => {
    ctx.reads.active--;
  });
  t.onSweep = () => stream.destroy();
  t.sent =
    stream instanceof SendfileStream
      ? () => stream.sent()
      : () => data?.bytesWritten ?? 0;
  // Once the data socket is closed no write of a chunk is pending: the ring may serve the next download.
  if (stream instanceof RecyclingFileStream && data)
    data.once('close', () => stream.recycle());
  return stream;
}
