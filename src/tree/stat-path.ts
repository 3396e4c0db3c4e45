/**
 * A path of the tree as a FileInfo: normalised, located (locate.ts) and, for a disk location, stat'ed with
 * symlinks leading out of its root refused (TREE_ESCAPE), falling through to the next location it names, then
 * to its rendered seed. tree.ts and listing.ts answer stat, read, open and list from it.
 */
import type { Stats } from 'node:fs';
import { stat as fsStat, realpath } from 'node:fs/promises';
import type { ApplianceModel } from '../config/model.ts';
import { err, ok, type Result } from '../shared/result.ts';
import type { Located, Locator } from './locate.ts';
import { isInside, normalizePath } from './paths.ts';
import type { FileInfo, Requester, TreeError } from './types.ts';

export type Disk = Extract<Located, { kind: 'disk' }>;

export type PathStatResult = Result<{ l: Located; info: FileInfo }, TreeError>;

export interface PathStat {
  statPath(raw: string, who?: Requester): Promise<PathStatResult>;
  /** statPath for reading: a folder is TREE_IS_DIRECTORY. */
  fileAt(raw: string, who?: Requester): Promise<PathStatResult>;
}

const notFound = (path: string): { ok: false; error: TreeError } =>
  err({ code: 'TREE_NOT_FOUND', message: `no such file: ${path}` });

export function createPathStat(
  model: ApplianceModel,
  locate: Locator['locate'],
): PathStat {
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
  ): Promise<PathStatResult> {
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

  async function fileAt(raw: string, who?: Requester): Promise<PathStatResult> {
    const r = await statPath(raw, who);
    if (r.ok && r.value.info.type === 'dir')
      return err({
        code: 'TREE_IS_DIRECTORY',
        message: `${r.value.info.path} is a folder`,
      });
    return r;
  }

  return { statPath, fileAt };
}
