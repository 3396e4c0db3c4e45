/**
 * STOR's stream: an upload begun in the tree (the may-write rule is the tree's beginUpload), APPE's old
 * content written first, and the stream ftp-srv writes the data connection into (upload-stream.ts), whose
 * end, error or sweep settles its transfer record. filesystem.ts resolves the path and refuses REST first.
 */
import type { Mac } from '../shared/mac.ts';
import type { FileTree, WriterContext } from '../tree/types.ts';
import type { FtpAccount } from './accounts.ts';
import { FtpReplyError, resultCode, treeWriteError } from './errors.ts';
import type { ConnectionTransfers, Transfer } from './transfers.ts';
import { UploadStream } from './upload-stream.ts';

export interface StorContext {
  readonly account: FtpAccount;
  /** The client's address (IPv4, no ::ffff: prefix). */
  readonly peer: string;
  readonly transfers: ConnectionTransfers;
  readonly controlAlive: () => boolean;
  readonly controlClosed: Promise<void>;
  readonly graceMs: number;
}

export interface StorRequest {
  readonly path: string;
  readonly leaseMac: Mac | undefined;
  /** What ALLO announced, if anything. */
  readonly declaredSize: number | undefined;
  /** APPE: the file's present content comes first. */
  readonly append: boolean | undefined;
  readonly t: Transfer;
  /** Records a refusal on the transfer and throws it. */
  readonly fail: (e: unknown) => never;
}

export async function openStor(
  ctx: StorContext,
  tree: FileTree,
  { path, leaseMac, declaredSize, append, t, fail }: StorRequest,
): Promise<UploadStream> {
  const wctx: WriterContext = {
    protocol: 'ftp',
    peer: ctx.peer,
    mac: leaseMac,
    declaredSize,
    confinedToSite: ctx.account.site,
  };
  const begun = await tree.beginUpload(path, wctx);
  if (!begun.ok) return fail(treeWriteError(begun.error));
  const upload = begun.value;
  if (append) {
    const old = await tree.read(path);
    if (old.ok && old.value.length > 0) {
      const w = await upload.write(old.value);
      if (!w.ok) {
        await upload.abort();
        return fail(treeWriteError(w.error));
      }
    }
  }
  const stream = new UploadStream(upload, {
    declaredSize,
    controlAlive: ctx.controlAlive,
    controlClosed: ctx.controlClosed,
    graceMs: ctx.graceMs,
    onBytes: (n) => {
      t.bytes = n;
    },
  });
  stream.once('finish', () => {
    t.finish('ok', stream.committed ?? stream.bytes);
    ctx.transfers.settle(t);
  });
  stream.once('error', (e) => {
    t.finish(resultCode(e));
    ctx.transfers.settle(t);
  });
  t.onSweep = (reason) => {
    const code = reason === 'FTP_SERVER_SHUTDOWN' ? reason : 'FTP_DISCONNECTED';
    stream.destroy(new FtpReplyError(code, 426, reason));
  };
  return stream;
}
