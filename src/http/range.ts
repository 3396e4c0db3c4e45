/**
 * The Range request header (RFC 9110 §14.1-14.2), bytes unit only, as a pure function.
 *
 * Outcomes:
 *  - 'none'           no header, a unit other than bytes, or a malformed header: serve the whole file (200),
 *                     as RFC 9110 §14.2 says a recipient ignores a Range it does not understand;
 *  - 'multiple'       several ranges: we answer 200 with the whole file (allowed; phones never ask for this);
 *  - 'range'          one satisfiable range, clamped to the file: 206 + Content-Range;
 *  - 'unsatisfiable'  syntactically valid but no byte of it lies inside the file: 416 + Content-Range: bytes *\/size.
 */

export type RangeDecision =
  | { readonly kind: 'none' }
  | { readonly kind: 'multiple' }
  | { readonly kind: 'range'; readonly start: number; readonly end: number }
  | { readonly kind: 'unsatisfiable' };

const SPEC = /^(\d*)-(\d*)$/;
/** Longer digit strings than this cannot be meaningful byte positions (2^53 has 16 digits). */
const MAX_DIGITS = 15;

interface Spec {
  readonly first: number | undefined;
  readonly last: number | undefined;
}

function parseSpec(text: string): Spec | undefined {
  const m = SPEC.exec(text.trim());
  if (!m) return undefined;
  const [, a = '', b = ''] = m;
  if (a === '' && b === '') return undefined;
  if (a.length > MAX_DIGITS || b.length > MAX_DIGITS) return undefined;
  const first = a === '' ? undefined : Number(a);
  const last = b === '' ? undefined : Number(b);
  if (first !== undefined && last !== undefined && last < first)
    return undefined;
  return { first, last };
}

/** Resolve one spec against the size; undefined when unsatisfiable. */
function resolve(
  spec: Spec,
  size: number,
): { start: number; end: number } | undefined {
  if (spec.first === undefined) {
    // suffix range: the last N bytes
    const n = spec.last ?? 0;
    if (n === 0 || size === 0) return undefined;
    return { start: Math.max(0, size - n), end: size - 1 };
  }
  if (spec.first >= size) return undefined;
  const end =
    spec.last === undefined ? size - 1 : Math.min(spec.last, size - 1);
  return { start: spec.first, end };
}

export function decideRange(
  header: string | undefined,
  size: number,
): RangeDecision {
  if (header === undefined) return { kind: 'none' };
  const eq = header.indexOf('=');
  if (eq < 0) return { kind: 'none' };
  if (header.slice(0, eq).trim().toLowerCase() !== 'bytes')
    return { kind: 'none' };
  const parts = header
    .slice(eq + 1)
    .split(',')
    .filter((p) => p.trim() !== '');
  if (parts.length === 0) return { kind: 'none' };
  const specs: Spec[] = [];
  for (const p of parts) {
    const s = parseSpec(p);
    if (!s) return { kind: 'none' };
    specs.push(s);
  }
  const satisfiable = specs
    .map((s) => resolve(s, size))
    .filter((r) => r !== undefined);
  if (satisfiable.length === 0) return { kind: 'unsatisfiable' };
  if (specs.length > 1) return { kind: 'multiple' };
  const only = satisfiable[0]!;
  return { kind: 'range', start: only.start, end: only.end };
}

export const contentRange = (
  start: number,
  end: number,
  size: number,
): string => `bytes ${start}-${end}/${size}`;
export const unsatisfiedRange = (size: number): string => `bytes */${size}`;
