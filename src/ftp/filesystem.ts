/**
 * The ftp-srv FileSystem over the virtual tree: get/list/chdir/read/write translate FTP paths to tree calls
 * and tree errors to FTP replies; delete/rename only of uploads (the tree's may-write rule), mkdir/chmod refused. Path safety and the may-write rule
 * are the tree's (normalize, beginUpload); this file only adds the site confinement of site accounts.
 */

import { ReadStream } from 'node:fs';
import type { Socket } from 'node:net';
import type { Readable } from 'node:stream';
import { FileSystem, type FtpConnection } from 'ftp-srv';
import type { LeaseLookup } from '../runtime/deps.ts';
import { macFromFileName } from '../shared/mac.ts';
import { loadSendfile, plainSocketFd } from '../shared/sendfile.ts';
import { RecyclingFileStream, ringChunk } from '../tree/recycling-stream.ts';
import type {
  FileTree,
  Requester,
  TreeRef,
  WriterContext,
} from '../tree/types.ts';
import { type FtpAccount, mayAccess } from './accounts.ts';
import {
  FtpReplyError,
  resultCode,
  treeReadError,
  treeWriteError,
} from './errors.ts';
import { clientPath, joinArg, listArg, resolveCwd } from './paths.ts';
import { SendfileStream } from './sendfile-stream.ts';
import { type FtpStat, toFtpStat } from './stat.ts';
import type { ConnectionTransfers, TransferLog } from './transfers.ts';
import { UploadStream } from './upload-stream.ts';

export interface TreeFsContext {
  readonly tree: TreeRef;
  readonly account: FtpAccount;
  /** The client's address (IPv4, no ::ffff: prefix). */
  readonly peer: string;
  readonly leases: LeaseLookup;
  readonly transfers: ConnectionTransfers;
  readonly tlog: TransferLog;
  readonly controlAlive: () => boolean;
  readonly controlClosed: Promise<void>;
  readonly graceMs: number;
  /** Downloads reading from disk right now, server-wide (sizes their buffers: retrChunk). */
  readonly reads: { active: number };
}

/** What our ftp-srv patch adds to a connection. */
interface PatchedConnection {
  allocatedSize?: number | undefined;
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
      const data = (
        this.connection as unknown as {
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
    if (opts.append) {
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
      const code =
        reason === 'FTP_SERVER_SHUTDOWN' ? reason : 'FTP_DISCONNECTED';
      stream.destroy(new FtpReplyError(code, 426, reason));
    };
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
