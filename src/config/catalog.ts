/**
 * The built-in model catalog: data in catalog.json (model token, User-Agent token, family, part number),
 * from the facts file's table. appliance.yaml's `models:` extends or overrides it.
 */
import catalog from './catalog.json' with { type: 'json' };
import type { Family, ModelInfo } from './model.ts';

export type CatalogEntry = Omit<ModelInfo, 'firmware' | 'parameters'>;

export function catalogModels(): readonly CatalogEntry[] {
  return catalog.models.map((m) =>
    Object.freeze({ ...m, family: m.family as Family }),
  );
}
