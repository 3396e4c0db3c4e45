/**
 * The virtual file tree: rendered files (in memory) over the phones' uploads (data dir) over tftpboot/
 * (read-only), per site folder. Every path is resolved the same way for every protocol (locate.ts):
 *   1. paths.ts makes it safe; 2. its first folder picks the site; 3. rendered files win; 4. MAC-bound upload
 *   names come from the site's writable areas; 5. <part>.bootrom.ld comes from the release that model runs
 *   (policy/release.ts); 6. anything else is tftpboot/ as-is. Symlinks leading out of tftpboot/ or the data
 *   dir are refused. What a phone may upload is may-write.ts.
 * A path's FileInfo is stat-path.ts, a folder's listing listing.ts; this module assembles the FileTree.
 */

import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { Readable } from 'node:stream';
import type { ApplianceModel } from '../config/model.ts';
import { err, ok, type Result } from '../shared/result.ts';
import { sharedSyncGroup } from '../shared/sync-group.ts';
import { listFolder } from './listing.ts';
import { createLocator } from './locate.ts';
import { mayWrite } from './may-write.ts';
import { normalizePath } from './paths.ts';
import { RecyclingFileStream } from './recycling-stream.ts';
import type { RefusalLog } from './refusals.ts';
import { type Rendered, renderTree } from './render/index.ts';
import { createPathStat, type Disk } from './stat-path.ts';
import type {
  FileTree,
  ReadOptions,
  TreeError,
  TreeRef,
  WriterContext,
} from './types.ts';
import {
  deleteUploadFile,
  renameUploadFile,
  type UploadFile,
} from './upload-edits.ts';
import { beginDiskUpload } from './uploads.ts';

/** Bytes a disk stream reads at a time (and so holds ahead of its consumer). */
const READ_AHEAD = 64 * 1024;

export interface TreeOptions {
  readonly rendered?: Rendered;
  /** Where uploads refused for an unknown host are counted and logged (kept across hot reloads by the caller). */
  readonly refusals?: RefusalLog;
}

export function createTree(
  model: ApplianceModel,
  opts: TreeOptions = {},
): FileTree {
  const rendered = opts.rendered ?? renderTree(model);
  const locator = createLocator(model, rendered);
  const { split, locate } = locator;
  /** Uploads share the process's durability rounds (built here, at start, not at the first upload). */
  const durable = sharedSyncGroup().group;

  const { statPath, fileAt } = createPathStat(model, locate);
  const listing = { model, rendered, locator, statPath };
  /** The may-write rule for a name, and the file on disk it names. */
  const uploadFile = (
    raw: string,
    ctx: WriterContext,
  ): Result<UploadFile, TreeError> => {
    const t = tree.checkWrite(raw, ctx);
    return t.ok
      ? ok({ target: t.value, abs: (locate(t.value.path) as Disk).abs })
      : t;
  };

  const tree: FileTree = {
    normalize: normalizePath,
    siteOf: (path) => split(path).site,

    async stat(raw, who) {
      const r = await statPath(raw, who);
      return r.ok ? ok(r.value.info) : r;
    },

    async read(raw, who) {
      const r = await fileAt(raw, who);
      if (!r.ok) return r;
      const { l } = r.value;
      if (l.kind === 'rendered') return ok(l.file.body);
      try {
        return ok(await readFile((l as Disk).abs));
      } catch (e) {
        return err({ code: 'TREE_IO', message: (e as Error).message });
      }
    },

    async open(raw, o: ReadOptions = {}) {
      const r = await fileAt(raw, o.who);
      if (!r.ok) return r;
      const { l, info } = r.value;
      if (info.type === 'dir')
        return err({
          code: 'TREE_IS_DIRECTORY',
          message: `${info.path} is a folder`,
        });
      const start = o.start ?? 0;
      const end = Math.min(o.end ?? info.size - 1, info.size - 1);
      if (l.kind === 'rendered')
        return ok({
          info,
          stream: Readable.from([l.file.body.subarray(start, end + 1)]),
        });
      const abs = (l as Disk).abs;
      if (end < start) return ok({ info, stream: Readable.from([]) });
      // 64 KiB read-ahead (Node's default for files) unless the front-end asks for less: what a stream holds
      // is multiplied by the transfers running at once (hundreds in a boot storm).
      const chunk = o.chunk ?? READ_AHEAD;
      if (o.ring !== undefined)
        return ok({
          info,
          stream: new RecyclingFileStream(abs, {
            start,
            end,
            chunk,
            ring: o.ring,
            ...(o.budget ? { budget: o.budget } : {}),
          }),
        });
      return ok({
        info,
        stream: createReadStream(abs, { start, end, highWaterMark: chunk }),
      });
    },

    list: (raw, who) => listFolder(listing, raw, who),

    checkWrite(raw, ctx: WriterContext) {
      const n = normalizePath(raw);
      if (!n.ok) return n;
      const l = locate(n.value);
      const serves = l.kind === 'disk' ? l.source : l.kind;
      const r = mayWrite(
        model,
        { path: n.value, site: l.site, rel: split(n.value).rel, serves },
        ctx,
      );
      if (!r.ok && r.error.unknownHost)
        opts.refusals?.note({
          protocol: ctx.protocol,
          peer: ctx.peer,
          path: n.value,
        });
      return r;
    },

    async beginUpload(raw, ctx) {
      const t = tree.checkWrite(raw, ctx);
      if (!t.ok) return t;
      const l = locate(t.value.path) as Disk;
      return beginDiskUpload(
        t.value,
        l.abs,
        model.uploads.keepGenerations,
        durable,
      );
    },

    async deleteUpload(raw, ctx) {
      const f = uploadFile(raw, ctx);
      return f.ok
        ? deleteUploadFile(f.value, model.uploads.keepGenerations)
        : f;
    },

    async renameUpload(rawFrom, rawTo, ctx) {
      const from = uploadFile(rawFrom, ctx);
      if (!from.ok) return from;
      const to = uploadFile(rawTo, ctx);
      return to.ok
        ? renameUploadFile(from.value, to.value, model.uploads.keepGenerations)
        : to;
    },
  };
  return tree;
}

/** A TreeRef over one tree, for tests and one-shot commands; hot reload uses runtime/live-config.ts. */
export const staticTreeRef = (tree: FileTree): TreeRef => ({
  current: () => tree,
});
