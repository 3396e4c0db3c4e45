/**
 * appliance.yaml's JSON Schema with the release catalog in it: every `parameters` map refers to one
 * $defs entry that lists the known names with their types, enumerations and descriptions, so an editor
 * using yaml-language-server completes and checks them. Other names stay allowed (the validator warns).
 * Pure: schema and catalogs in, schema out.
 */
import type { Catalog } from './catalog.ts';
import type { ParamType } from './types.ts';

type Json = Record<string, unknown>;

/** A YAML value may be written as a number or boolean where the .cfg gets its text: allow both forms. */
function typeSchema(t: ParamType): Json {
  switch (t.kind) {
    case 'boolean':
      return { enum: [0, 1, true, false, '0', '1', 'true', 'false'] };
    case 'integer':
      return {
        type: ['integer', 'string'],
        pattern: '^[+-]?\\d+$',
        ...(t.min === undefined ? {} : { minimum: t.min }),
        ...(t.max === undefined ? {} : { maximum: t.max }),
      };
    case 'string':
      return {
        type: ['string', 'number', 'boolean'],
        ...(t.min ? { minLength: t.min } : {}),
        ...(t.max === undefined ? {} : { maxLength: t.max }),
      };
    case 'enum':
      return {
        enum: t.values.flatMap((v) =>
          /^-?\d+$/.test(v) ? [v, Number(v)] : [v],
        ),
      };
    case 'union':
      return { anyOf: t.members.map(typeSchema) };
    case 'any':
      return { type: ['string', 'number', 'boolean'] };
  }
}

/** The $defs entry: known names (the first catalog that knows a name describes it). */
export function parametersSchema(
  catalogs: readonly Catalog[],
  base: Json,
): Json {
  const properties: Record<string, Json> = {};
  for (const cat of catalogs) {
    for (const p of cat.params.values()) {
      if (properties[p.name]) continue;
      properties[p.name] = {
        ...typeSchema(p.type),
        description: p.description || p.typeName,
      };
    }
  }
  return {
    type: 'object',
    propertyNames: base.propertyNames,
    properties,
    additionalProperties: base.additionalProperties,
  };
}

const isParameters = (node: Json, pattern: string): boolean =>
  node.type === 'object' &&
  (node.propertyNames as Json | undefined)?.pattern === pattern;

/** Every parameters map of `schema` (found by its name pattern) → a $ref to one shared $defs.parameters. */
export function withCatalog(
  schema: Json,
  catalogs: readonly Catalog[],
  namePattern: string,
): Json {
  if (catalogs.length === 0) return schema;
  let defs: Json | undefined;
  const walk = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(walk);
    if (v === null || typeof v !== 'object') return v;
    const node = v as Json;
    if (isParameters(node, namePattern)) {
      defs ??= parametersSchema(catalogs, node);
      const { default: d, description } = node;
      return {
        $ref: '#/$defs/parameters',
        ...(d === undefined ? {} : { default: d }),
        ...(description === undefined ? {} : { description }),
      };
    }
    return Object.fromEntries(
      Object.entries(node).map(([k, x]) => [k, walk(x)]),
    );
  };
  const out = walk(schema) as Json;
  return defs
    ? {
        ...out,
        $defs: { ...((out.$defs as Json | undefined) ?? {}), parameters: defs },
      }
    : out;
}
