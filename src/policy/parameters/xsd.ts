/**
 * polycomConfig.xsd → its declarations, read by a streaming parser (saxes): the named simpleTypes, every
 * global <xsd:attribute name= type=> with its documentation text, and the documentation the element part
 * gives an <xsd:attribute ref=>. Pure: text in, declarations out (the loader reads the file; catalog.ts
 * turns declarations into the catalog). One pass, no tree in memory: 3.6 MB parse in a few hundred ms.
 */
import { SaxesParser } from 'saxes';
import type { ParamType } from './types.ts';

export interface XsdAttribute {
  readonly name: string;
  readonly type: ParamType;
  /** The type's name as the XSD writes it (String_0_256, xsd:boolean); "" for an inline type. */
  readonly typeName: string;
  /** documentation text ("number min 1 max 34 default 1."), "" when the XSD gives none. */
  readonly doc: string;
}

export interface XsdDeclarations {
  readonly attributes: readonly XsdAttribute[];
  /** Named simpleTypes, by name. */
  readonly types: ReadonlyMap<string, ParamType>;
  readonly elements: number;
  readonly anyAttributes: number;
}

interface TypeBuilder {
  name: string | undefined;
  union: (ParamType | string)[] | undefined;
  base: string | undefined;
  facets: Map<string, string>;
  enums: string[];
}

const INTEGER_BASES = new Set([
  'integer',
  'int',
  'long',
  'short',
  'byte',
  'nonNegativeInteger',
  'positiveInteger',
  'unsignedInt',
  'unsignedShort',
  'unsignedByte',
  'unsignedLong',
  'negativeInteger',
  'nonPositiveInteger',
]);
const UNSIGNED = new Set([
  'nonNegativeInteger',
  'unsignedInt',
  'unsignedShort',
  'unsignedByte',
  'unsignedLong',
]);

const local = (qname: string): string => qname.slice(qname.indexOf(':') + 1);
const num = (s: string | undefined): number | undefined =>
  s === undefined || s.trim() === '' ? undefined : Number(s);

/** A built-in XSD type by its local name. */
function builtin(base: string, min?: number, max?: number): ParamType {
  if (base === 'boolean') return { kind: 'boolean' };
  if (base === 'string' || base === 'normalizedString' || base === 'token')
    return { kind: 'string', min, max };
  if (INTEGER_BASES.has(base))
    return {
      kind: 'integer',
      min:
        min ??
        (UNSIGNED.has(base) ? 0 : base === 'positiveInteger' ? 1 : undefined),
      max,
    };
  return { kind: 'any', base };
}

function finish(b: TypeBuilder, named: (name: string) => ParamType): ParamType {
  if (b.union)
    return {
      kind: 'union',
      members: b.union.map((m) => (typeof m === 'string' ? named(m) : m)),
    };
  if (b.enums.length > 0) return { kind: 'enum', values: b.enums };
  const base = local(b.base ?? 'string');
  const f = b.facets;
  const len = num(f.get('length'));
  if (base === 'string' || base === 'normalizedString' || base === 'token')
    return builtin(
      base,
      len ?? num(f.get('minLength')),
      len ?? num(f.get('maxLength')),
    );
  if (INTEGER_BASES.has(base))
    return builtin(
      base,
      num(f.get('minInclusive')),
      num(f.get('maxInclusive')),
    );
  return named(b.base ?? 'string');
}

export function parseXsd(chunks: Iterable<string>): XsdDeclarations {
  const parser = new SaxesParser({ position: false });
  const types = new Map<string, ParamType>();
  const pending: {
    name: string;
    typeName: string;
    inline: ParamType | undefined;
    doc: string;
  }[] = [];
  const refDocs = new Map<string, string>();
  const stack: string[] = [];
  const building: TypeBuilder[] = [];
  let attr:
    | {
        name: string;
        typeName: string;
        inline: ParamType | undefined;
        doc: string;
      }
    | undefined;
  let ref: string | undefined;
  let inDoc = false;
  let doc = '';
  let elements = 0;
  let anyAttributes = 0;
  const named = (name: string): ParamType =>
    types.get(name) ?? builtin(local(name));

  parser.on('opentag', (tag) => {
    const n = local(tag.name);
    const a = tag.attributes as Record<string, string>;
    stack.push(n);
    const top = building[building.length - 1];
    switch (n) {
      case 'simpleType':
        building.push({
          name: a.name,
          union: undefined,
          base: undefined,
          facets: new Map(),
          enums: [],
        });
        break;
      case 'union':
        if (top) top.union = (a.memberTypes ?? '').split(/\s+/).filter(Boolean);
        break;
      case 'restriction':
        if (top) top.base = a.base;
        break;
      case 'enumeration':
        top?.enums.push(a.value ?? '');
        break;
      case 'minLength':
      case 'maxLength':
      case 'length':
      case 'minInclusive':
      case 'maxInclusive':
        top?.facets.set(n, a.value ?? '');
        break;
      case 'attribute':
        if (stack.length === 2 && a.name !== undefined)
          attr = {
            name: a.name,
            typeName: a.type ?? '',
            inline: undefined,
            doc: '',
          };
        else if (a.ref !== undefined) ref = a.ref;
        break;
      case 'documentation':
        inDoc = true;
        doc = '';
        break;
      case 'element':
        elements++;
        break;
      case 'anyAttribute':
        anyAttributes++;
        break;
    }
  });
  parser.on('text', (t) => {
    if (inDoc) doc += t;
  });
  parser.on('closetag', (tag) => {
    const n = local(tag.name);
    stack.pop();
    if (n === 'simpleType') {
      const b = building.pop()!;
      const type = finish(b, named);
      const parent = building[building.length - 1];
      if (parent?.union) parent.union.push(type);
      else if (b.name !== undefined && stack.length === 1)
        types.set(b.name, type);
      else if (attr) attr.inline = type;
    } else if (n === 'documentation') {
      inDoc = false;
      const text = doc.trim().replace(/\s+/g, ' ');
      if (attr) attr.doc = text;
      else if (ref !== undefined && !refDocs.has(ref)) refDocs.set(ref, text);
    } else if (n === 'attribute') {
      if (stack.length === 1 && attr) {
        pending.push(attr);
        attr = undefined;
      }
      ref = undefined;
    }
  });
  for (const chunk of chunks) parser.write(chunk);
  parser.close();

  const attributes = pending.map(
    (p): XsdAttribute => ({
      name: p.name,
      typeName: p.inline ? '' : p.typeName,
      type: p.inline ?? named(p.typeName || 'xsd:string'),
      doc: p.doc || refDocs.get(p.name) || '',
    }),
  );
  return { attributes, types, elements, anyAttributes };
}
