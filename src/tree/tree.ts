/**
 * The virtual file tree: rendered files (in memory) over the phones' uploads (data dir) over tftpboot/
 * (read-only), per site folder. Every path is resolved the same way for every protocol (locate.ts):
 *   1. paths.ts makes it safe; 2. its first folder picks the site; 3. rendered files win; 4. MAC-bound upload
 *   names come from the site's writable areas; 5. <part>.bootrom.ld comes from the release that model runs
 *   (policy/release.ts); 6. anything else is tftpboot/ as-is. Symlinks leading out of tftpboot/ or the data
 *   dir are refused. What a phone may upload is may-write.ts.
 */

import { createReadStream, type Stats } from 'node:fs';
import { stat as fsStat, readdir, readFile, realpath } from 'node:fs/promises';
import { join as pjoin } from 'node:path';
import { Readable } from 'node:stream';
import type { ApplianceModel } from '../config/model.ts';
import { err, ok, type Result } from '../shared/result.ts';
import { sharedSyncGroup } from '../shared/sync-group.ts';
import { AREA_LIST } from './layout.ts';
import { createLocator, type Located } from './locate.ts';
import { isInside, normalizePath } from './paths.ts';
import { RecyclingFileStream } from './recycling-stream.ts';
import { type Rendered, renderTree } from './render/index.ts';
import type {
  FileInfo,
  FileTree,
  ReadOptions,
  Requester,
  TreeError,
  TreeRef,
  WriterContext,
} from './types.ts';

type Disk = Extract<Located, { kind: 'disk' }>;

import { mayWrite } from './may-write.ts';
import type { RefusalLog } from './refusals.ts';
import {
  deleteUploadFile,
  renameUploadFile,
  type UploadFile,
} from './upload-edits.ts';
import { beginDiskUpload } from './uploads.ts';

/** Bytes a disk stream reads at a time (and so holds ahead of its consumer). */
const READ_AHEAD = 64 * 1024;

const notFound = (path: string): { ok: false; error: TreeError } =>
  err({ code: 'TREE_NOT_FOUND', message: `no such file: ${path}` });

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
  const mtime = new Date(model.source.loadedAt);
  const realRoots = new Map<string, Promise<string>>();
  const realRoot = (root: string): Promise<string> => {
    let p = realRoots.get(root);
    if (!p) {
      p = realpath(root).catch(() => root);
      realRoots.set(root, p);
    }
    return p;
  };

  const { split, uploadDir, locate } = createLocator(model, rendered);
  /** Uploads share the process's durability rounds (built here, at start, not at the first upload). */
  const durable = sharedSyncGroup().group;

  /** Stat a disk location (else the next one it names), refusing symlinks that lead out of its root. */
  async function diskStat(
    l: Disk,
  ): Promise<Result<{ l: Disk; stats: Stats }, TreeError>> {
    try {
      const real = await realpath(l.abs);
      if (!isInside(await realRoot(l.root), real))
        return err({
          code: 'TREE_ESCAPE',
          message: `${l.path} leads outside the tree`,
        });
      return ok({ l: { ...l, abs: real }, stats: await fsStat(real) });
    } catch {
      return l.next?.kind === 'disk' ? diskStat(l.next) : notFound(l.path);
    }
  }

  const infoOf = (l: Located, s?: Stats): FileInfo => {
    const name = l.path.split('/').pop() ?? '';
    if (l.kind === 'rendered')
      return {
        path: l.path,
        name,
        type: 'file',
        size: l.file.body.length,
        mtime,
        etag: l.file.etag,
        source: 'rendered',
        site: l.site,
      };
    if (l.kind === 'virtual-dir' || !s || s.isDirectory())
      return {
        path: l.path,
        name,
        type: 'dir',
        size: 0,
        mtime: s?.mtime ?? mtime,
        etag: '"dir"',
        source: l.kind === 'disk' ? l.source : 'rendered',
        site: l.site,
      };
    const info: FileInfo = {
      path: l.path,
      name,
      type: 'file',
      size: s.size,
      mtime: s.mtime,
      etag: `"${s.ino.toString(36)}-${s.size.toString(36)}-${Math.floor(s.mtimeMs).toString(36)}"`,
      source: l.source,
      site: l.site,
    };
    return l.release === undefined ? info : { ...info, release: l.release };
  };

  async function statPath(
    raw: string,
    who?: Requester,
  ): Promise<Result<{ l: Located; info: FileInfo }, TreeError>> {
    const n = normalizePath(raw);
    if (!n.ok) return n;
    const l = locate(n.value, who);
    if (l.kind !== 'disk') return ok({ l, info: infoOf(l) });
    const s = await diskStat(l);
    if (!s.ok && l.fallback && s.error.code === 'TREE_NOT_FOUND') {
      const seed: Located = {
        kind: 'rendered',
        path: l.path,
        site: l.site,
        file: l.fallback,
      };
      return ok({ l: seed, info: infoOf(seed) });
    }
    if (!s.ok) return s;
    return ok({ l: s.value.l, info: infoOf(s.value.l, s.value.stats) });
  }

  /** statPath for reading: a folder is TREE_IS_DIRECTORY. */
  async function fileAt(
    raw: string,
    who?: Requester,
  ): Promise<Result<{ l: Located; info: FileInfo }, TreeError>> {
    const r = await statPath(raw, who);
    if (r.ok && r.value.info.type === 'dir')
      return err({
        code: 'TREE_IS_DIRECTORY',
        message: `${r.value.info.path} is a folder`,
      });
    return r;
  }
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

    async list(raw, who) {
      const r = await statPath(raw, who);
      if (!r.ok) return r;
      const { l, info } = r.value;
      if (info.type !== 'dir')
        return err({
          code: 'TREE_NOT_FOUND',
          message: `${info.path} is not a folder`,
        });
      const prefix = l.path ? `${l.path}/` : '';
      const names = new Set<string>();
      for (const p of rendered.files.keys())
        if (p.startsWith(prefix) && !p.slice(prefix.length).includes('/'))
          names.add(p.slice(prefix.length));
      for (const f of rendered.folders.keys())
        if (
          f !== '' &&
          f.startsWith(prefix) &&
          !f.slice(prefix.length).includes('/')
        )
          names.add(f.slice(prefix.length));
      const { rel, site } = split(l.path);
      const segs = rel ? rel.split('/') : [];
      if (segs.length === 0) for (const a of AREA_LIST) names.add(a.dir);
      const diskDirs =
        segs.length === 1 && AREA_LIST.some((a) => a.dir === segs[0])
          ? [uploadDir(site, segs[0]!)]
          : [
              l.kind === 'disk' && l.release !== undefined
                ? l.abs
                : pjoin(model.tftpboot, rel),
            ];
      for (const d of diskDirs)
        for (const n of await readdir(d).catch(() => [] as string[]))
          if (normalizePath(n).ok) names.add(n);
      const out: FileInfo[] = [];
      for (const n of [...names].sort()) {
        const s = await statPath(prefix + n, who);
        if (s.ok) out.push(s.value.info);
      }
      return ok(out);
    },

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
      const l = locate(t.value.path) as Extract<Located, { kind: 'disk' }>;
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
