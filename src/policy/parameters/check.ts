/**
 * The parameter check of a loaded model: every parameter appliance.yaml sets (common, site, model, phone)
 * against the catalog of each release the phones it reaches run. An unknown name is a warning with the
 * closest known names, an index beyond its family's range likewise (both errors with `strict`, for CI);
 * a value outside its type is an error; a model-suffixed template name is checked as its base name.
 * A release folder without an XSD gets one warning naming the release, and its parameters no check.
 */

import type { Finding, ModelCheck } from '../../config/issues.ts';
import type {
  ApplianceModel,
  FirmwareRelease,
  Parameters,
} from '../../config/model.ts';
import { releaseFor } from '../release.ts';
import type { Catalog } from './catalog.ts';
import { catalogOfFolder } from './loader.ts';
import { describeType, misfit, valueFits } from './types.ts';

type PathKey = string | number;
interface Source {
  readonly path: readonly PathKey[];
  readonly params: Parameters;
  readonly releases: ReadonlySet<FirmwareRelease>;
}

/** Parameters whose values are never echoed in a message or a listing (a password must not reach a log). */
const SECRET_NAME = /pass(word)?|secret|token|\.key$/i;
export const isSecretName = (name: string): boolean => SECRET_NAME.test(name);

/** Where appliance.yaml sets parameters, and which releases each place reaches. */
export function parameterSources(model: ApplianceModel): Source[] {
  const def = model.defaultFirmware
    ? model.firmware.get(model.defaultFirmware)
    : undefined;
  const all = new Set<FirmwareRelease>(def ? [def] : []);
  const bySite = new Map<string, Set<FirmwareRelease>>();
  const out: Source[] = [];
  for (const p of model.phones.values()) {
    const rel = releaseFor(model, { mac: p.mac });
    if (!rel) continue;
    all.add(rel);
    if (p.site !== undefined)
      bySite.set(p.site, (bySite.get(p.site) ?? new Set()).add(rel));
    out.push({
      path: ['phones', p.key, 'parameters'],
      params: p.parameters,
      releases: new Set([rel]),
    });
  }
  for (const s of model.sites.values()) {
    const rels = bySite.get(s.name) ?? new Set();
    for (const name of Object.values(s.firmware)) {
      const r = model.firmware.get(name);
      if (r) rels.add(r);
    }
    if (rels.size === 0 && def) rels.add(def);
    out.push({
      path: ['sites', s.name, 'parameters'],
      params: s.parameters,
      releases: rels,
    });
  }
  for (const m of model.models.values()) {
    if (Object.keys(m.parameters).length === 0) continue;
    const rels = new Set<FirmwareRelease>();
    for (const site of [undefined, ...model.sites.keys()]) {
      const r = releaseFor(model, { model: m.model, site });
      if (r) rels.add(r);
    }
    out.push({
      path: ['models', m.model, 'parameters'],
      params: m.parameters,
      releases: rels,
    });
  }
  out.push({ path: ['parameters'], params: model.parameters, releases: all });
  return out.filter(
    (s) => Object.keys(s.params).length > 0 && s.releases.size > 0,
  );
}

/** One parameter against one release's catalog: the finding, if any. */
function checkOne(
  cat: Catalog,
  release: string,
  name: string,
  value: string,
  path: readonly PathKey[],
  strict: boolean,
): Finding | undefined {
  const at = [...path, name];
  const soft = strict ? 'error' : 'warning';
  const l = cat.lookup(name);
  if (l.kind === 'unknown') {
    const hint =
      l.suggestions.length > 0
        ? ` (did you mean ${l.suggestions.join(', ')}?)`
        : '';
    return {
      severity: soft,
      code: 'CFG_PARAM_UNKNOWN',
      path: at,
      which: 'key',
      message: `not a parameter of firmware "${release}"${hint}`,
    };
  }
  if (l.kind === 'index') {
    const [lo, hi] = l.family.ranges[l.position]!;
    return {
      severity: soft,
      code: 'CFG_PARAM_INDEX',
      path: at,
      which: 'key',
      message: `index ${l.index} is beyond ${l.family.pattern}'s ${lo}..${hi} in firmware "${release}"`,
    };
  }
  if (valueFits(l.param.type, value)) return undefined;
  const shown = SECRET_NAME.test(name)
    ? `the value is not ${describeType(l.param.type)}`
    : misfit(l.param.type, value);
  return {
    severity: 'error',
    code: 'CFG_PARAM_VALUE',
    path: at,
    message: `${shown} (${l.param.typeName || 'type'} in firmware "${release}")`,
  };
}

export function parameterCheck(
  opts: {
    strict?: boolean;
    catalogOf?: (release: FirmwareRelease) => Catalog | undefined;
  } = {},
): ModelCheck {
  const strict = opts.strict ?? false;
  const catalogOf =
    opts.catalogOf ?? ((r: FirmwareRelease) => catalogOfFolder(r.dir)?.catalog);
  return (model) => {
    const catalogs = new Map<FirmwareRelease, Catalog | undefined>();
    const out: Finding[] = [];
    for (const src of parameterSources(model)) {
      const cats: [string, Catalog][] = [];
      for (const rel of src.releases) {
        if (!catalogs.has(rel)) {
          const c = catalogOf(rel);
          catalogs.set(rel, c);
          if (!c)
            out.push({
              severity: 'warning',
              code: 'CFG_PARAM_NO_CATALOG',
              path: ['firmware', rel.name],
              which: 'key',
              message: `no polycomConfig.xsd in ${rel.folder}/: parameters of phones running "${rel.name}" are not checked`,
            });
        }
        const c = catalogs.get(rel);
        if (c) cats.push([rel.name, c]);
      }
      if (cats.length === 0) continue;
      for (const [name, value] of Object.entries(src.params)) {
        for (const [rel, cat] of cats) {
          const f = checkOne(cat, rel, name, value, src.path, strict);
          if (f) {
            out.push(f);
            break;
          }
        }
      }
    }
    return out;
  };
}
