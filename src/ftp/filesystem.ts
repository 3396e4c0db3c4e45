/**
 * The ftp-srv FileSystem over the virtual tree: get/list/chdir/read/write translate FTP paths to tree calls
 * and tree errors to FTP replies; delete/rename only of uploads (the tree's may-write rule), mkdir/chmod
 * refused. Path safety and the may-write rule are the tree's (normalize, beginUpload); this file only adds
 * the site confinement of site accounts.
 * The streams RETR and STOR hand to ftp-srv are made in retr.ts and stor.ts.
 */

import type { Readable } from 'node:stream';
import { FileSystem, type FtpConnection } from 'ftp-srv';
import type { LeaseLookup } from '../runtime/deps.ts';
import { macFromFileName } from '../shared/mac.ts';
import type {
  FileTree,
  Requester,
  TreeRef,
  WriterContext,
} from '../tree/types.ts';
import { mayAccess } from './accounts.ts';
import {
  FtpReplyError,
  resultCode,
  treeReadError,
  treeWriteError,
} from './errors.ts';
import { clientPath, joinArg, listArg, resolveCwd } from './paths.ts';
import { openRetr, type RetrContext } from './retr.ts';
import { type FtpStat, toFtpStat } from './stat.ts';
import { openStor, type StorContext } from './stor.ts';
import type { TransferLog } from './transfers.ts';
import type { UploadStream } from './upload-stream.ts';

export { retrChunk } from './retr.ts';

/** What a connection's file system works with; RETR's and STOR's parts are declared in retr.ts and stor.ts. */
export interface TreeFsContext extends RetrContext, StorContext {
  readonly tree: TreeRef;
  readonly leases: LeaseLookup;
  readonly tlog: TransferLog;
}

/** What our ftp-srv patch adds to a connection. */
interface PatchedConnection {
  allocatedSize?: number | undefined;
}

const refused = (what: string): FtpReplyError =>
  new FtpReplyError(
    'FTP_NOT_PERMITTED',
    550,
    `${what} is not permitted on this server`,
  );

export class TreeFileSystem extends FileSystem {
  readonly #ctx: TreeFsContext;
  #cwd = '/';

  constructor(connection: FtpConnection, ctx: TreeFsContext) {
    super(connection, { root: '/', cwd: '/' });
    this.#ctx = ctx;
  }

  override currentDirectory(): string {
    return this.#cwd;
  }

  /** Normalise through the tree and apply the account's confinement. */
  #resolve(raw: string, tree: FileTree, forWrite: boolean): string {
    const n = tree.normalize(raw);
    if (!n.ok)
      throw forWrite ? treeWriteError(n.error) : treeReadError(n.error);
    if (!mayAccess(this.#ctx.account, n.value, (p) => tree.siteOf(p))) {
      throw new FtpReplyError(
        'FTP_OUTSIDE_SITE',
        550,
        `account ${this.#ctx.account.user} is confined to site ${(this.#ctx.account.sites ?? []).join(', ')}`,
      );
    }
    return n.value;
  }

  /** The client as the tree knows it: the MAC its lease binds to the peer address (a resource file's release). */
  #who(): Requester {
    return { mac: this.#ctx.leases.macForAddress(this.#ctx.peer) };
  }

  override async get(fileName: string): Promise<FtpStat> {
    const tree = this.#ctx.tree.current();
    const arg = listArg(fileName);
    const path = this.#resolve(joinArg(this.#cwd, arg), tree, false);
    const st = await tree.stat(path, this.#who());
    if (!st.ok) throw treeReadError(st.error);
    return toFtpStat(st.value, arg ?? st.value.name);
  }

  override async list(dir?: string): Promise<FtpStat[]> {
    const tree = this.#ctx.tree.current();
    const path = this.#resolve(joinArg(this.#cwd, listArg(dir)), tree, false);
    const r = await tree.list(path, this.#who());
    if (!r.ok) throw treeReadError(r.error);
    return r.value
      .filter((i) =>
        mayAccess(this.#ctx.account, i.path, (p) => tree.siteOf(p)),
      )
      .map((i) => toFtpStat(i));
  }

  override async chdir(dir?: string): Promise<string> {
    const tree = this.#ctx.tree.current();
    const path = this.#resolve(resolveCwd(this.#cwd, dir), tree, false);
    if (path !== '') {
      const st = await tree.stat(path, this.#who());
      if (!st.ok) throw treeReadError(st.error);
      if (st.value.type !== 'dir')
        throw new FtpReplyError(
          'FTP_NOT_A_DIRECTORY',
          550,
          `${path} is not a directory`,
        );
    }
    this.#cwd = clientPath(path);
    return this.#cwd;
  }

  /**
   * A RETR or STOR of fileName begins: its transfer record (path and MAC as well as known before the checks),
   * the tree it runs on, and fail(), which records a refusal and throws it.
   */
  #begin(direction: 'download' | 'upload', fileName: string) {
    const ctx = this.#ctx;
    const tree = ctx.tree.current();
    const raw = joinArg(this.#cwd, fileName);
    const normalized = tree.normalize(raw);
    const leaseMac = ctx.leases.macForAddress(ctx.peer);
    const t = ctx.transfers.add(
      ctx.tlog.begin({
        direction,
        peer: ctx.peer,
        user: ctx.account.user,
        path: normalized.ok ? normalized.value : raw,
        mac:
          leaseMac ??
          (normalized.ok ? macFromFileName(normalized.value) : undefined),
      }),
    );
    const fail = (e: unknown): never => {
      t.finish(resultCode(e), 0);
      ctx.transfers.settle(t);
      throw e;
    };
    return { tree, raw, leaseMac, t, fail };
  }

  override async read(
    fileName: string,
    opts: { start?: unknown } = {},
  ): Promise<{ stream: Readable; clientPath: string }> {
    const ctx = this.#ctx;
    const { tree, raw, leaseMac, t, fail } = this.#begin('download', fileName);
    try {
      const path = this.#resolve(raw, tree, false);
      const start =
        typeof opts.start === 'number' && opts.start > 0
          ? opts.start
          : undefined;
      const stream = await openRetr(
        ctx,
        this.connection,
        tree,
        path,
        start,
        leaseMac,
        t,
      );
      return { stream, clientPath: clientPath(path) };
    } catch (e) {
      return fail(e);
    }
  }

  override async write(
    fileName: string,
    opts: { append?: boolean; start?: unknown } = {},
  ): Promise<{ stream: UploadStream; clientPath: string }> {
    const ctx = this.#ctx;
    const conn = this.connection as unknown as PatchedConnection;
    const declaredSize = conn.allocatedSize;
    conn.allocatedSize = undefined;
    const { tree, raw, leaseMac, t, fail } = this.#begin('upload', fileName);
    let path = '';
    try {
      path = this.#resolve(raw, tree, true);
      if (typeof opts.start === 'number' && opts.start > 0)
        throw refused('REST before STOR (resuming an upload)');
    } catch (e) {
      return fail(e);
    }
    const stream = await openStor(ctx, tree, {
      path,
      leaseMac,
      declaredSize,
      append: opts.append,
      t,
      fail,
    });
    return { stream, clientPath: clientPath(path) };
  }

  /** DELE and RNFR/RNTO: only uploads, by the may-write rule (tree.deleteUpload / renameUpload); 550 otherwise. */
  #editCtx(): WriterContext {
    return {
      protocol: 'ftp',
      peer: this.#ctx.peer,
      mac: this.#ctx.leases.macForAddress(this.#ctx.peer),
      confinedToSite: this.#ctx.account.site,
    };
  }

  override async delete(fileName: string): Promise<void> {
    const tree = this.#ctx.tree.current();
    const path = this.#resolve(joinArg(this.#cwd, fileName), tree, true);
    const r = await tree.deleteUpload(path, this.#editCtx());
    if (!r.ok) throw treeWriteError(r.error);
  }

  override async rename(from: string, to: string): Promise<void> {
    const tree = this.#ctx.tree.current();
    const src = this.#resolve(joinArg(this.#cwd, from), tree, true);
    const dst = this.#resolve(joinArg(this.#cwd, to), tree, true);
    const r = await tree.renameUpload(src, dst, this.#editCtx());
    if (!r.ok) throw treeWriteError(r.error);
  }

  override mkdir(): Promise<never> {
    return Promise.reject(refused('creating directories'));
  }
  override chmod(): Promise<never> {
    return Promise.reject(refused('changing modes'));
  }
}
