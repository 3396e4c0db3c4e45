/**
 * The built-in model catalog: data in catalog.json (model token, User-Agent token, family, part number),
 * from the facts file's table. appliance.yaml's `models:` extends or overrides it.
 */
import catalog from './catalog.json' with { type: 'json' };
import type { Family, ModelInfo } from './model.ts';

export type CatalogEntry = Omit<ModelInfo, 'firmware' | 'parameters'>;

export function catalogModels(): readonly CatalogEntry[] {
  return catalog.models.map((m) => Object.freeze({ ...m, family: m.family as Family }));
}

/** Find a model by any spelling phones use: VVX410, VVX_410, VVX-VVX_410, SoundPointIP-SPIP_601, Polycom-VVX410. */
export function modelFromToken(models: ReadonlyMap<string, ModelInfo>, token: string): ModelInfo | undefined {
  const direct = models.get(token);
  if (direct) return direct;
  const tail = token.includes('-') ? token.slice(token.lastIndexOf('-') + 1) : token;
  const squashed = tail.replace(/_/g, '');
  for (const m of models.values()) {
    if (m.uaToken === tail || m.model === squashed || m.model.toLowerCase() === squashed.toLowerCase()) return m;
  }
  return undefined;
}
