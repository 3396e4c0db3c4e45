/**
 * Where a tree path lives, by the resolution rules of tree.ts: rendered file, upload area, bootROM of the
 * release the model runs, tftpboot/ (then the asking phone's release folder), or a folder the tree makes up.
 * Pure: no disk access; a disk location names the next one to try (`next`) when it is not there.
 */
import { join as pjoin } from 'node:path';
import type { ApplianceModel } from '../config/model.ts';
import { FILES } from '../policy/files.ts';
import { bootromFor } from '../policy/release.ts';
import { type Requester, resourceFor } from '../policy/resources.ts';
import { AREA_LIST, areaForName } from './layout.ts';
import {
  type Rendered,
  type RenderedFile,
  renderedFile,
} from './render/index.ts';

export type Located =
  | {
      kind: 'rendered';
      path: string;
      site: string | undefined;
      file: RenderedFile;
    }
  | {
      kind: 'disk';
      path: string;
      site: string | undefined;
      abs: string;
      root: string;
      source: 'tftpboot' | 'upload';
      fallback?: RenderedFile;
      release?: string;
      next?: Located;
    }
  | { kind: 'virtual-dir'; path: string; site: string | undefined };

/** What a phone without parameters of its own gets for <MAC>-appliance.cfg. */
const EMPTY_PARAMS = renderedFile(
  '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<!-- No parameters for this phone in appliance.yaml -->\n<PHONE_CONFIG/>\n',
);

export interface Locator {
  readonly uploadsRoot: string;
  /** The site folder a path is in (the longest folder that prefixes it), and the path inside it. */
  split(path: string): {
    folder: string;
    site: string | undefined;
    rel: string;
  };
  uploadDir(site: string | undefined, dir: string): string;
  locate(path: string, who?: Requester): Located;
}

export function createLocator(
  model: ApplianceModel,
  rendered: Rendered,
): Locator {
  const uploadsRoot = pjoin(model.dataDir, 'uploads');
  const folders = [...rendered.folders.keys()].sort(
    (a, b) => b.length - a.length,
  );
  const split = (
    path: string,
  ): { folder: string; site: string | undefined; rel: string } => {
    for (const f of folders) {
      if (f === '' || path === f || path.startsWith(`${f}/`)) {
        return {
          folder: f,
          site: rendered.folders.get(f),
          rel: f === '' ? path : path.slice(f.length + 1),
        };
      }
    }
    return { folder: '', site: undefined, rel: path };
  };
  const uploadDir = (site: string | undefined, dir: string): string =>
    pjoin(uploadsRoot, site ?? '_root', dir);

  function locate(path: string, who?: Requester): Located {
    const r = rendered.files.get(path);
    const { folder, site, rel } = split(path);
    const segs = rel.split('/');
    const name = segs[segs.length - 1]!;
    const area = areaForName(name);
    const inArea =
      area !== undefined &&
      (segs.length === 1 || (segs.length === 2 && segs[0] === area.area.dir)) &&
      (segs.length === 2 || name === name.toLowerCase());
    const upload = (): Located => ({
      kind: 'disk',
      path,
      site,
      abs: pjoin(uploadDir(site, area!.area.dir), name.toLowerCase()),
      root: uploadsRoot,
      source: 'upload',
      ...(r ? { fallback: r } : {}),
    });
    if (r) {
      // A rendered <MAC>-directory.xml seeds the phone; once it has uploaded its own edits those are served,
      // unless the site's directory is read-only (then appliance.yaml is the directory).
      const editable =
        inArea &&
        area.area.kind === 'contacts' &&
        !(site !== undefined && model.sites.get(site)?.directory.readOnly);
      return editable ? upload() : { kind: 'rendered', path, site, file: r };
    }
    if (rel === '' || (folder === '' && rendered.folders.has(path)))
      return {
        kind: 'virtual-dir',
        path,
        site: rendered.folders.get(path) ?? site,
      };
    if (
      segs.length === 1 &&
      name.endsWith(FILES.phoneParamsSuffix) &&
      /^[0-9a-f]{12}-/.test(name)
    )
      return { kind: 'rendered', path, site, file: EMPTY_PARAMS };
    if (inArea) return upload();
    if (segs.length === 1 && AREA_LIST.some((a) => a.dir === name))
      return { kind: 'virtual-dir', path, site };
    const tftpboot: Located = {
      kind: 'disk',
      path,
      site,
      abs: pjoin(model.tftpboot, rel),
      root: model.tftpboot,
      source: 'tftpboot',
    };
    // A bootROM comes from the release its model runs, else from tftpboot/ as it is.
    const bootrom =
      segs.length === 1 ? bootromFor(model, site, name) : undefined;
    if (bootrom)
      return {
        ...tftpboot,
        abs: pjoin(bootrom.release.dir, bootrom.file),
        release: bootrom.release.name,
        next: { ...tftpboot, abs: pjoin(model.tftpboot, name) },
      };
    // Anything else is tftpboot/ as it is, else a resource file of the release the asking phone runs.
    const release = resourceFor(model, site, name, who);
    return release && release.folder !== ''
      ? {
          ...tftpboot,
          next: {
            ...tftpboot,
            abs: pjoin(release.dir, rel),
            release: release.name,
          },
        }
      : tftpboot;
  }

  return { uploadsRoot, split, uploadDir, locate };
}
