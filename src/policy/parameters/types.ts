/**
 * The value types of polycomConfig.xsd, as the catalog keeps them: string length bounds, integer ranges,
 * booleans, enumerations, and unions (the XSD's "null-able" numbers are a union of "" and a range).
 * Pure: a value (as written into the .cfg file) is checked against a type here, and a type is described here.
 */

export type ParamType =
  | {
      readonly kind: 'string';
      readonly min: number | undefined;
      readonly max: number | undefined;
    }
  | {
      readonly kind: 'integer';
      readonly min: number | undefined;
      readonly max: number | undefined;
    }
  | { readonly kind: 'boolean' }
  | { readonly kind: 'enum'; readonly values: readonly string[] }
  | { readonly kind: 'union'; readonly members: readonly ParamType[] }
  /** A base the catalog does not restrict (xsd:anyURI, an unknown named type): every value passes. */
  | { readonly kind: 'any'; readonly base: string };

const INTEGER = /^[+-]?\d+$/;
const BOOLEAN = new Set(['0', '1', 'true', 'false']);

/** Whether `value` is of `type`. */
export function valueFits(type: ParamType, value: string): boolean {
  switch (type.kind) {
    case 'string': {
      const n = [...value].length;
      return (
        (type.min === undefined || n >= type.min) &&
        (type.max === undefined || n <= type.max)
      );
    }
    case 'integer': {
      if (!INTEGER.test(value)) return false;
      const n = Number(value);
      return (
        (type.min === undefined || n >= type.min) &&
        (type.max === undefined || n <= type.max)
      );
    }
    case 'boolean':
      return BOOLEAN.has(value);
    case 'enum':
      return type.values.includes(value);
    case 'union':
      return type.members.some((m) => valueFits(m, value));
    case 'any':
      return true;
  }
}

const quoted = (v: string): string => `"${v}"`;

/** Short human form: string(0..256), integer 1..34, boolean, one of "UDPOnly" "TLS", "" or integer 0..23. */
export function describeType(type: ParamType): string {
  switch (type.kind) {
    case 'string':
      return type.max === undefined
        ? 'string'
        : `string(${type.min ?? 0}..${type.max})`;
    case 'integer':
      return `integer ${type.min ?? '-∞'}..${type.max ?? '∞'}`;
    case 'boolean':
      return 'boolean (0/1)';
    case 'enum':
      return type.values.length === 1
        ? quoted(type.values[0]!)
        : `one of ${type.values.map(quoted).join(' ')}`;
    case 'union':
      return type.members.map(describeType).join(' or ');
    case 'any':
      return type.base;
  }
}

/** Why `value` does not fit, for the error message. */
export function misfit(type: ParamType, value: string): string {
  if (type.kind === 'string')
    return `"${value}" is ${[...value].length} characters; expected ${describeType(type)}`;
  return `"${value}" is not ${describeType(type)}`;
}
