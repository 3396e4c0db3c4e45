/**
 * The catalog of a release folder: its polycomConfig.xsd (at any depth, usually Config/), parsed once per
 * file content (cached by SHA-256, so a hot reload or a second release with the same file costs a hash).
 * The one part of the catalog that reads the disk; synchronous, as the loader's checks are.
 */

import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ApplianceModel, FirmwareRelease } from '../../config/model.ts';
import { buildCatalog, type Catalog } from './catalog.ts';
import { parseXsd } from './xsd.ts';

export const XSD_NAME = 'polycomconfig.xsd';

const byHash = new Map<string, Catalog>();

/** The XSD of a release folder: the shallowest polycomConfig.xsd below it (any case), undefined if none. */
export function findXsd(dir: string): string | undefined {
  let entries: string[];
  try {
    entries = readdirSync(dir, { recursive: true, encoding: 'utf8' });
  } catch {
    return undefined;
  }
  const found = entries.filter(
    (e) => (e.split(/[\\/]/).pop() ?? '').toLowerCase() === XSD_NAME,
  );
  found.sort(
    (a, b) =>
      a.split(/[\\/]/).length - b.split(/[\\/]/).length || a.localeCompare(b),
  );
  return found[0] === undefined ? undefined : join(dir, found[0]);
}

/** Parse XSD text (or take it from the cache when the same text was parsed before). */
export function catalogOfText(text: string): Catalog {
  const hash = createHash('sha256').update(text).digest('hex');
  let c = byHash.get(hash);
  if (!c) {
    c = buildCatalog(parseXsd([text]));
    byHash.set(hash, c);
  }
  return c;
}

/** The catalog of a release folder and the XSD it came from; undefined when the folder holds no XSD. */
export function catalogOfFolder(
  dir: string,
): { file: string; catalog: Catalog } | undefined {
  const file = findXsd(dir);
  if (!file) return undefined;
  return { file, catalog: catalogOfText(readFileSync(file, 'utf8')) };
}

/** The releases of a model whose folders hold an XSD, with their catalogs, in the order appliance.yaml lists them. */
export function releaseCatalogs(
  model: ApplianceModel,
): { release: FirmwareRelease; file: string; catalog: Catalog }[] {
  return [...model.firmware.values()].flatMap((release) => {
    const c = catalogOfFolder(release.dir);
    return c ? [{ release, ...c }] : [];
  });
}
