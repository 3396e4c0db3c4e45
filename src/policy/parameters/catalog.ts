/**
 * The parameter catalog of one firmware release, made from its polycomConfig.xsd declarations: every name
 * with its type, default and description; indexed families (reg.N.address with N 1..34, lineKey.N.category)
 * with the range of each index; and the lookup a check asks: known, known with a model suffix
 * (dir.local.contacts.maxNum.VVX500: template names the XSD cannot list), an index beyond its family's
 * range, or unknown with the closest known names. Pure.
 */

import type { ParamType } from './types.ts';
import type { XsdDeclarations } from './xsd.ts';

export interface Param {
  readonly name: string;
  readonly type: ParamType;
  readonly typeName: string;
  /** From the documentation text ("… default 9999."); undefined when it names none. */
  readonly default: string | undefined;
  /** The documentation text, the family's first member's when this index has none. */
  readonly description: string;
  /** The family pattern (reg.N.address) when the name has index segments. */
  readonly family: string | undefined;
}

export interface Family {
  readonly pattern: string;
  /** [lowest, highest] of each index, in the order they appear in the name. */
  readonly ranges: readonly (readonly [number, number])[];
  readonly members: number;
  /** The first member, whose documentation the others share. */
  readonly first: Param;
}

export type Lookup =
  | { readonly kind: 'known'; readonly param: Param }
  | {
      readonly kind: 'model-suffixed';
      readonly param: Param;
      readonly model: string;
    }
  | {
      readonly kind: 'index';
      readonly family: Family;
      readonly position: number;
      readonly index: number;
    }
  | { readonly kind: 'unknown'; readonly suggestions: readonly string[] };

export interface Catalog {
  readonly params: ReadonlyMap<string, Param>;
  readonly families: ReadonlyMap<string, Family>;
  readonly stats: {
    readonly attributes: number;
    readonly types: number;
    readonly enums: number;
    readonly unions: number;
    readonly elements: number;
    readonly anyAttributes: number;
  };
  lookup(name: string): Lookup;
}

const INDEX = /\.(\d+)(?=\.|$)/g;
/** The family pattern of a name and its indices: reg.1.server.2.port → reg.N.server.N.port, [1, 2]. */
export function familyOf(name: string): { pattern: string; indices: number[] } {
  const indices: number[] = [];
  const pattern = name.replace(INDEX, (_m, d: string) => {
    indices.push(Number(d));
    return '.N';
  });
  return { pattern, indices };
}

/** Model tokens a template name may end with (features.cfg's dir.local.contacts.maxNum.VVX500). */
const MODEL_SUFFIX = /^(?:SPIP|SSIP|VVX|Trio|SSDuo|CCX|EdgeE|EdgeB)\w*$/;

export function defaultOf(doc: string): string | undefined {
  const m = /\bdefault\s+(?:"([^"]*)"|(\S+?))\.?(?:\s|$)/.exec(doc);
  return m ? (m[1] ?? m[2]) : undefined;
}

export function buildCatalog(decl: XsdDeclarations): Catalog {
  const params = new Map<string, Param>();
  const fam = new Map<
    string,
    { ranges: [number, number][]; members: number; first: Param }
  >();
  const docs = new Map<string, string>();
  for (const a of decl.attributes)
    if (a.doc && !docs.has(familyOf(a.name).pattern))
      docs.set(familyOf(a.name).pattern, a.doc);
  for (const a of decl.attributes) {
    const { pattern, indices } = familyOf(a.name);
    const family = indices.length > 0 ? pattern : undefined;
    const description = a.doc || (family ? (docs.get(family) ?? '') : '');
    const p: Param = {
      name: a.name,
      type: a.type,
      typeName: a.typeName,
      default: defaultOf(description),
      description,
      family,
    };
    params.set(a.name, p);
    if (!family) continue;
    const f = fam.get(family);
    if (!f) {
      fam.set(family, {
        ranges: indices.map((i) => [i, i]),
        members: 1,
        first: p,
      });
      continue;
    }
    f.members++;
    indices.forEach((i, k) => {
      const r = f.ranges[k]!;
      if (i < r[0]) r[0] = i;
      if (i > r[1]) r[1] = i;
    });
  }
  const families: ReadonlyMap<string, Family> = new Map(
    [...fam].map(([pattern, f]) => [pattern, { pattern, ...f }]),
  );
  /** Suggestions compare collapsed names (2,300 rather than 18,000), then put the misspelt name's indices back. */
  const collapsed = [
    ...new Set([...params.values()].map((p) => p.family ?? p.name)),
  ];
  const suggestions = new Map<string, readonly string[]>();

  const suggest = (name: string): readonly string[] => {
    const { pattern, indices } = familyOf(name);
    let out = suggestions.get(pattern);
    if (!out) {
      out = closest(pattern, collapsed);
      suggestions.set(pattern, out);
    }
    return out.map((s) => {
      let k = 0;
      return s.replace(
        /\.N(?=\.|$)/g,
        () => `.${indices[k++] ?? families.get(s)?.ranges[k - 1]?.[0] ?? 1}`,
      );
    });
  };

  const lookup = (name: string): Lookup => {
    const param = params.get(name);
    if (param) return { kind: 'known', param };
    const dot = name.lastIndexOf('.');
    const suffix = name.slice(dot + 1);
    const base = dot > 0 ? params.get(name.slice(0, dot)) : undefined;
    if (base && MODEL_SUFFIX.test(suffix))
      return { kind: 'model-suffixed', param: base, model: suffix };
    const { pattern, indices } = familyOf(name);
    const family = families.get(pattern);
    if (family) {
      const position = indices.findIndex(
        (i, k) => i < family.ranges[k]![0] || i > family.ranges[k]![1],
      );
      if (position >= 0)
        return { kind: 'index', family, position, index: indices[position]! };
    }
    return { kind: 'unknown', suggestions: suggest(name) };
  };

  const types = [...decl.types.values()];
  return {
    params,
    families,
    lookup,
    stats: {
      attributes: params.size,
      types: decl.types.size,
      enums: types.filter((t) => t.kind === 'enum').length,
      unions: types.filter((t) => t.kind === 'union').length,
      elements: decl.elements,
      anyAttributes: decl.anyAttributes,
    },
  };
}

/* "Did you mean": the known names closest to a misspelt one, by edit distance (case-insensitive, bounded so a
   far name costs little). */

/** Levenshtein distance of a and b, or `bound + 1` as soon as it must exceed `bound`. */
export function distance(a: string, b: string, bound: number): number {
  if (Math.abs(a.length - b.length) > bound) return bound + 1;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    let best = i;
    for (let j = 1; j <= b.length; j++) {
      const v = Math.min(
        prev[j]! + 1,
        row[j - 1]! + 1,
        prev[j - 1]! + (a.charCodeAt(i - 1) === b.charCodeAt(j - 1) ? 0 : 1),
      );
      row.push(v);
      if (v < best) best = v;
    }
    if (best > bound) return bound + 1;
    prev = row;
  }
  return prev[b.length]!;
}

/** Up to `most` of `known` within a third of the name's length (at least 2 edits), closest first. */
export function closest(
  name: string,
  known: Iterable<string>,
  most = 3,
): string[] {
  const bound = Math.max(2, Math.floor(name.length / 3));
  const lower = name.toLowerCase();
  const found: { name: string; d: number }[] = [];
  for (const k of known) {
    const d = distance(lower, k.toLowerCase(), bound);
    if (d <= bound) found.push({ name: k, d });
  }
  return found
    .sort((x, y) => x.d - y.d || x.name.localeCompare(y.name))
    .slice(0, most)
    .map((x) => x.name);
}
