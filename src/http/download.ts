/**
 * GET and HEAD of a tree file: validators, conditional requests, a single byte range. The body of a file on
 * disk over plain HTTP is sent by the kernel (sendfile-body.ts); over HTTPS, and a rendered file, it is streamed
 * from tree.open (the file is never buffered whole) through a ring of buffers reused chunk after chunk.
 */
import { ReadStream } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { loadSendfile, plainSocketFd } from '../shared/sendfile.ts';
import { openDescriptor } from '../tree/descriptor.ts';
import { ReadBudget } from '../tree/read-budget.ts';
import { RecyclingFileStream } from '../tree/recycling-stream.ts';
import type { FileTree, Requester } from '../tree/types.ts';
import {
  httpDate,
  httpEtag,
  isNotModified,
  rangeStillValid,
} from './conditional.ts';
import { failure } from './errors.ts';
import { contentRange, decideRange, unsatisfiedRange } from './range.ts';
import { sendFailure, sendTreeFailure } from './reply.ts';
import { sendfileBody } from './sendfile-body.ts';
import type { TransferRecord } from './transfer-record.ts';

const TYPES: Readonly<Record<string, string>> = {
  cfg: 'application/xml',
  xml: 'application/xml',
  txt: 'text/plain; charset=utf-8',
  log: 'text/plain; charset=utf-8',
};

export function contentTypeOf(path: string): string {
  const dot = path.lastIndexOf('.');
  const ext = dot < 0 ? '' : path.slice(dot + 1).toLowerCase();
  return TYPES[ext] ?? 'application/octet-stream';
}

/**
 * A download reads its file into a ring of 2 buffers (tree recycling-stream.ts: the chunk being written and
 * the one read ahead) instead of a fresh buffer per chunk, whose dead copies awaiting the collector made most
 * of the service's peak under many downloads (bench/results/http.md). Every download of one HTTP service
 * (HTTP and HTTPS) cuts its ring from one byte budget (tree read-budget.ts): what downloads hold stays within
 * READ_BUDGET however many run, each taking an equal share (128 KiB chunks up to 100 downloads at once, 64
 * up to 200, then 32, 16 … 4 KiB), and a download beyond what the budget can hold waits for room.
 * streamBody keeps the ring's contract and recycles the ring at the end (leaving the budget).
 */
const RING = 2;
const READ_BUDGET = 25 * 1024 * 1024;
/** The budget of one HTTP service (its HTTP and HTTPS listeners): createHttpApp makes one. */
export const createDownloadBudget = (): ReadBudget =>
  new ReadBudget(READ_BUDGET);

const header = (req: IncomingMessage, name: string): string | undefined => {
  const v = req.headers[name];
  return Array.isArray(v) ? v.join(', ') : v;
};

/** `who` (the lease's MAC, the User-Agent) picks the release folder of a resource file asked for at the root. */
export async function serveDownload(
  req: IncomingMessage,
  res: ServerResponse,
  tree: FileTree,
  path: string,
  record: TransferRecord,
  who: Requester,
  budget: ReadBudget,
): Promise<void> {
  const st = await tree.stat(path, who);
  if (!st.ok) return sendTreeFailure(res, record, st.error, 'download');
  const info = st.value;
  record.setRelease(info.release);
  if (info.type !== 'file')
    return sendFailure(
      res,
      record,
      failure(404, 'TREE_IS_DIRECTORY', 'directories are not listed'),
    );

  const etag = httpEtag(info.etag);
  res.setHeader('ETag', etag);
  res.setHeader('Last-Modified', httpDate(info.mtime));
  res.setHeader('Accept-Ranges', 'bytes');
  res.setHeader('Cache-Control', 'no-cache');

  if (
    isNotModified(
      {
        ifNoneMatch: header(req, 'if-none-match'),
        ifModifiedSince: header(req, 'if-modified-since'),
      },
      etag,
      info.mtime,
    )
  ) {
    res.statusCode = 304;
    res.end();
    record.finish('ok', 0);
    return;
  }

  let start = 0;
  let end = info.size - 1;
  let status = 200;
  const rangeHeader = header(req, 'range');
  if (
    rangeHeader !== undefined &&
    rangeStillValid(header(req, 'if-range'), etag, info.mtime)
  ) {
    const d = decideRange(rangeHeader, info.size);
    if (d.kind === 'unsatisfiable') {
      return sendFailure(
        res,
        record,
        failure(
          416,
          'HTTP_RANGE_NOT_SATISFIABLE',
          `range ${rangeHeader} is outside ${info.size} bytes`,
        ),
        { 'Content-Range': unsatisfiedRange(info.size) },
      );
    }
    if (d.kind === 'range') {
      ({ start, end } = d);
      status = 206;
      res.setHeader('Content-Range', contentRange(start, end, info.size));
    }
  }
  const length = info.size === 0 ? 0 : end - start + 1;
  res.statusCode = status;
  res.setHeader('Content-Type', contentTypeOf(path));
  res.setHeader('Content-Length', length);

  if (req.method === 'HEAD' || length === 0) {
    res.end();
    record.finish('ok', 0);
    return;
  }

  // Plain HTTP and a file on disk: the kernel sends it (sendfile-body.ts); TLS and rendered files are streamed.
  const sendfile =
    plainSocketFd(res.socket) === undefined ? undefined : loadSendfile();
  const opened = await tree.open(
    path,
    sendfile?.ok
      ? { start, end, who }
      : { start, end, who, ring: RING, budget },
  );
  if (!opened.ok) {
    res.removeHeader('Content-Range');
    return sendTreeFailure(res, record, opened.error, 'download');
  }
  const { stream } = opened.value;
  if (sendfile?.ok && stream instanceof ReadStream) {
    const file = await openDescriptor(stream).then(
      (f) => f.fd,
      () => undefined,
    );
    if (file === undefined) {
      res.removeHeader('Content-Range');
      return sendFailure(
        res,
        record,
        failure(500, 'TREE_IO', 'the file could not be opened'),
      );
    }
    const out = await sendfileBody(sendfile.value, res, file, start, length);
    if (out.result !== 'unsupported') {
      stream.destroy();
      record.finish(out.result, out.sent);
      return;
    }
    // No sendfile on this file's filesystem and nothing sent: the same stream, unread, is streamed.
  }
  await streamBody(stream, res, record, length);
}

/**
 * One chunk at a time: the stream pauses on each chunk until the socket has taken it (the write callback),
 * so its buffer can be reused (the ring's contract) and backpressure holds. Bytes are counted; a client that
 * goes away ends the read stream and is recorded. A stream that ends short of Content-Length (the file
 * changed under us) resets the connection instead of leaving the client waiting for bytes that never come.
 * (A cut at the server's own shutdown is recorded HTTP_SERVER_SHUTDOWN instead: transfer-record.ts.)
 */
function streamBody(
  stream: NodeJS.ReadableStream & { destroy(e?: Error): void },
  res: ServerResponse,
  record: TransferRecord,
  expected: number,
): Promise<void> {
  return new Promise((resolve) => {
    let sent = 0;
    // Called once the response finished (every write called back) or its socket is gone: no chunk is in
    // use any more, so the ring may serve the next download.
    const done = (result: string): void => {
      stream.removeListener('data', send);
      if (stream instanceof RecyclingFileStream) stream.recycle();
      record.finish(result, sent);
      resolve();
    };
    const send = (chunk: Buffer): void => {
      sent += chunk.length;
      stream.pause();
      res.write(chunk, () => stream.resume());
    };
    stream.on('data', send);
    stream.on('error', () => {
      res.destroy();
      done('TREE_IO');
    });
    stream.on('end', () => {
      if (sent === expected) res.end();
      else {
        res.destroy();
        done('TREE_IO');
      }
    });
    res.on('close', () => {
      if (res.writableFinished) return;
      stream.destroy();
      done('HTTP_CLIENT_ABORTED');
    });
    res.on('finish', () => done('ok'));
  });
}
