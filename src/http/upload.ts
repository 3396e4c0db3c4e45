/**
 * PUT: a phone uploads its own file (<MAC>-phone.cfg, -web.cfg, -directory.xml, logs). The may-write rule,
 * the MAC check and the size cap are the tree's (beginUpload); this only streams the body into the upload and
 * maps its errors. Anything short of a complete body aborts the upload, so the previous file stays.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FileTree, WriterContext } from '../tree/types.ts';
import { failure } from './errors.ts';
import { sendFailure, sendTreeFailure } from './reply.ts';
import type { TransferRecord } from './transfer-record.ts';

/** Content-Length as a number; undefined when absent (chunked); 'bad' when present but not a length. */
export function declaredLength(
  header: string | undefined,
): number | undefined | 'bad' {
  if (header === undefined) return undefined;
  if (!/^\d{1,15}$/.test(header.trim())) return 'bad';
  return Number(header.trim());
}

export async function receiveUpload(
  req: IncomingMessage,
  res: ServerResponse,
  tree: FileTree,
  path: string,
  ctx: Omit<WriterContext, 'declaredSize'>,
  record: TransferRecord,
): Promise<void> {
  const declared = declaredLength(req.headers['content-length']);
  if (declared === 'bad')
    return sendFailure(
      res,
      record,
      failure(400, 'HTTP_BAD_CONTENT_LENGTH', 'Content-Length is not a number'),
      {},
      { close: true },
    );

  const before = await tree.stat(path);
  const existed = before.ok && before.value.type === 'file';
  const begun = await tree.beginUpload(path, {
    ...ctx,
    declaredSize: declared,
  });
  if (!begun.ok)
    return sendTreeFailure(res, record, begun.error, 'upload', {
      close: true,
    });
  const upload = begun.value;
  if (/100-continue/i.test(req.headers.expect ?? '')) res.writeContinue();
  record.setPath(upload.target.path);
  record.setMac(upload.target.mac);

  let bytes = 0;
  try {
    for await (const chunk of req as AsyncIterable<Buffer>) {
      const w = await upload.write(chunk);
      if (!w.ok) {
        await upload.abort();
        return sendTreeFailure(res, record, w.error, 'upload', {
          close: true,
        });
      }
      bytes += chunk.length;
    }
  } catch {
    // the client closed the connection (or the server is closing) before the whole body came
    await upload.abort();
    if (!res.headersSent) res.destroy();
    record.finish('HTTP_CLIENT_ABORTED', bytes);
    return;
  }
  if (!req.complete || (declared !== undefined && bytes !== declared)) {
    await upload.abort();
    res.destroy();
    record.finish('HTTP_CLIENT_ABORTED', bytes);
    return;
  }
  const committed = await upload.commit();
  if (!committed.ok)
    return sendTreeFailure(res, record, committed.error, 'upload');
  res.statusCode = existed ? 204 : 201;
  if (!existed) res.setHeader('Location', `/${upload.target.path}`);
  res.end();
  record.finish('ok', committed.value.bytes);
}
