/**
 * The may-write rule: phones write only MAC-bound names (layout.ts) into their site's writable areas, only as
 * their own MAC, and only up to the cap of the file's kind. Everything else is served, not written.
 * An uploader whose address is bound to no phone (no DHCP lease, no INFORM binding: ctx.mac undefined) may
 * write nothing, unless its site says uploads.allowUnknownHosts (unsafe, for static-address labs).
 */
import type { ApplianceModel } from '../config/model.ts';
import { err, ok, type Result } from '../shared/result.ts';
import { AREA_LIST, areaForName } from './layout.ts';
import type { TreeError, UploadTarget, WriterContext } from './types.ts';

/** Where a normalised path resolved: its site, the path inside the site folder, and what the tree serves there. */
export interface WriteSpot {
  readonly path: string;
  readonly site: string | undefined;
  readonly rel: string;
  readonly serves: 'upload' | 'tftpboot' | 'rendered' | 'virtual-dir';
}

/** A site's uploads.allowUnknownHosts; at the root of a multi-site tree, only when every site allows it. */
function allowsUnknownHosts(
  model: ApplianceModel,
  site: string | undefined,
): boolean {
  if (site !== undefined)
    return model.sites.get(site)?.uploads.allowUnknownHosts ?? false;
  const all = [...model.sites.values()];
  return all.length > 0 && all.every((s) => s.uploads.allowUnknownHosts);
}

export function mayWrite(
  model: ApplianceModel,
  spot: WriteSpot,
  ctx: WriterContext,
): Result<UploadTarget, TreeError> {
  const { path, site } = spot;
  if (ctx.confinedToSite !== undefined && site !== ctx.confinedToSite)
    return err({
      code: 'TREE_READ_ONLY',
      message: `outside site "${ctx.confinedToSite}"`,
    });
  const name = path.split('/').pop()!;
  if (
    spot.serves === 'rendered' &&
    areaForName(name)?.area.kind === 'contacts' &&
    site !== undefined &&
    model.sites.get(site)?.directory.readOnly
  ) {
    return err({
      code: 'TREE_READ_ONLY',
      message: `${path}: site "${site}" has a read-only directory (directory.readOnly): edit appliance.yaml instead`,
    });
  }
  if (spot.serves !== 'upload') {
    const segs = spot.rel.split('/');
    const writableSpot =
      segs.length === 1 ||
      (segs.length === 2 && AREA_LIST.some((a) => a.dir === segs[0]));
    return err(
      spot.serves === 'tftpboot' && writableSpot
        ? {
            code: 'TREE_NAME_NOT_ALLOWED',
            message: `${path}: phones may upload only <MAC>-phone.cfg, -web.cfg, -directory.xml, -calls.xml, -app.log, -boot.log`,
          }
        : {
            code: 'TREE_READ_ONLY',
            message: `${path} is served, not writable`,
          },
    );
  }
  const found = areaForName(name)!;
  if (ctx.mac !== undefined && ctx.mac !== found.mac)
    return err({
      code: 'TREE_MAC_MISMATCH',
      message: `uploader is ${ctx.mac} but the file belongs to ${found.mac}`,
    });
  if (ctx.mac === undefined && !allowsUnknownHosts(model, site)) {
    return err({
      code: 'TREE_MAC_MISMATCH',
      message: `${ctx.peer} holds no DHCP lease or INFORM binding, so it may not write ${found.mac}'s files (uploads.allowUnknownHosts)`,
      unknownHost: true,
    });
  }
  const maxBytes = {
    override: model.uploads.overrides,
    log: model.uploads.logs,
    contacts: model.uploads.contacts,
    calls: model.uploads.calls,
  }[found.area.kind];
  if (ctx.declaredSize !== undefined && ctx.declaredSize > maxBytes)
    return err({
      code: 'TREE_TOO_LARGE',
      message: `${ctx.declaredSize} bytes is over the ${maxBytes}-byte cap for ${found.area.kind} files`,
    });
  return ok({
    path,
    site,
    kind: found.area.kind,
    mac: found.mac as UploadTarget['mac'],
    maxBytes,
  });
}
