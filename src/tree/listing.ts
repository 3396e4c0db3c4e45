/**
 * A folder's listing: the rendered files and folders directly in it, the writable areas at a site's top, and
 * what is on disk (an upload area's folder in the data dir, else the folder of tftpboot/ or of the release
 * that answers), each name stat'ed as the requester would see it (stat-path.ts), sorted by name.
 */
import { readdir } from 'node:fs/promises';
import { join as pjoin } from 'node:path';
import type { ApplianceModel } from '../config/model.ts';
import { err, ok, type Result } from '../shared/result.ts';
import { AREA_LIST } from './layout.ts';
import type { Locator } from './locate.ts';
import { normalizePath } from './paths.ts';
import type { Rendered } from './render/index.ts';
import type { PathStat } from './stat-path.ts';
import type { FileInfo, Requester, TreeError } from './types.ts';

export interface ListingDeps {
  readonly model: ApplianceModel;
  readonly rendered: Rendered;
  readonly locator: Pick<Locator, 'split' | 'uploadDir'>;
  readonly statPath: PathStat['statPath'];
}

export async function listFolder(
  { model, rendered, locator, statPath }: ListingDeps,
  raw: string,
  who?: Requester,
): Promise<Result<FileInfo[], TreeError>> {
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
  const { rel, site } = locator.split(l.path);
  const segs = rel ? rel.split('/') : [];
  if (segs.length === 0) for (const a of AREA_LIST) names.add(a.dir);
  const diskDirs =
    segs.length === 1 && AREA_LIST.some((a) => a.dir === segs[0])
      ? [locator.uploadDir(site, segs[0]!)]
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
}
