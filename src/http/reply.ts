/** Error replies: status, the stable code in X-Error-Code, a one-line text body; the transfer record closed. */
import type { ServerResponse } from 'node:http';
import type { TreeError } from '../tree/types.ts';
import { failure, type HttpFailure, statusForTreeError } from './errors.ts';
import type { TransferRecord } from './transfer-record.ts';

export function sendFailure(
  res: ServerResponse,
  record: TransferRecord | undefined,
  f: HttpFailure,
  extraHeaders: Readonly<Record<string, string>> = {},
  opts: { close?: boolean } = {},
): void {
  if (!res.headersSent) {
    const body = `${f.status} ${f.code}: ${f.message.replace(/[\r\n]+/g, ' ').slice(0, 300)}\n`;
    res.statusCode = f.status;
    res.setHeader('Content-Type', 'text/plain; charset=utf-8');
    res.setHeader('X-Error-Code', f.code);
    for (const [k, v] of Object.entries(extraHeaders)) res.setHeader(k, v);
    // an unread request body (refused PUT) must not be parsed as the next request: close the connection
    if (opts.close) res.setHeader('Connection', 'close');
    res.setHeader('Content-Length', Buffer.byteLength(body));
    res.end(res.req.method === 'HEAD' ? undefined : body);
  } else {
    res.destroy();
  }
  record?.finish(f.code, 0);
}

/** A tree error as the reply: its code, its message, the status statusForTreeError gives it. */
export function sendTreeFailure(
  res: ServerResponse,
  record: TransferRecord,
  e: TreeError,
  direction: 'download' | 'upload',
  opts: { close?: boolean } = {},
): void {
  sendFailure(
    res,
    record,
    failure(statusForTreeError(e.code, direction), e.code, e.message),
    {},
    opts,
  );
}
