/**
 * CFG_FIRMWARE_MISSING: a model in use (by a phone entry, or given its own release) whose image is not in
 * the folder of a release it runs at some site, or outside every site. Needs the disk, so it runs at load.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Finding } from '../config/issues.ts';
import type { ApplianceModel } from '../config/model.ts';
import { imageFor, releaseFor } from './release.ts';

export function missingFirmware(
  model: ApplianceModel,
  exists: (path: string) => boolean = existsSync,
): Finding[] {
  const out: Finding[] = [];
  const inUse = new Map<string, (string | number)[]>();
  for (const p of model.phones.values())
    if (p.model)
      inUse.set(p.model, inUse.get(p.model) ?? ['phones', p.key, 'model']);
  for (const [token, m] of model.models)
    if (m.firmware) inUse.set(token, ['models', token, 'firmware']);
  for (const [token, path] of inUse) {
    const info = model.models.get(token);
    if (!info) continue;
    const releases = new Set(
      [undefined, ...model.sites.keys()].map((site) =>
        releaseFor(model, { model: token, site }),
      ),
    );
    for (const rel of releases) {
      if (!rel) continue;
      const file = imageFor(rel, info);
      if (!exists(join(rel.dir, file))) {
        out.push({
          severity: 'warning',
          code: 'CFG_FIRMWARE_MISSING',
          path,
          message: `${token} uses firmware "${rel.name}" but ${join(rel.folder, file)} is not in tftpboot/ yet`,
        });
      }
    }
  }
  return out;
}
