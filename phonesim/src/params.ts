/**
 * Polycom parameter files (.cfg XML): every attribute of every element whose name looks like a parameter
 * (dotted, e.g. reg.1.address, device.set) is a parameter; element names carry no meaning. Across the files
 * of CONFIG_FILES the leftmost file wins (facts §5.3, [AG14]). Pure; never throws.
 */
import { ok, type Result } from '../../src/shared/result.ts';
import type { SimError } from './errors.ts';
import { scanXml } from './xml.ts';

export type ParamMap = ReadonlyMap<string, string>;

/** A parameter name: at least two dot-separated parts of letters, digits, '_' or '-' (reg.1.address). */
export const isParamName = (s: string): boolean =>
  /^[A-Za-z][\w-]*(\.[\w-]+)+$/.test(s);

/** Parameters of one file; within a file the first occurrence of a name is kept. */
export function parseParams(xml: string): Result<ParamMap, SimError> {
  const scanned = scanXml(xml);
  if (!scanned.ok) return scanned;
  const out = new Map<string, string>();
  for (const el of scanned.value) {
    for (const [k, v] of el.attrs)
      if (isParamName(k) && !out.has(k)) out.set(k, v);
  }
  return ok(out);
}

/** Effective parameters of files given in precedence order: a name takes its value from the leftmost file holding it. */
export function leftmostWins(files: readonly ParamMap[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const f of files) for (const [k, v] of f) if (!out.has(k)) out.set(k, v);
  return out;
}

/** A -phone.cfg override file as a phone writes it when the user changes settings on the keypad. */
export function encodeOverrideFile(params: ParamMap): string {
  const esc = (s: string): string =>
    s
      .replace(/&/g, '&amp;')
      .replace(/"/g, '&quot;')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;');
  const attrs = [...params]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => ` ${k}="${esc(v)}"`)
    .join('');
  return `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<!-- Phone override file -->\n<PHONE_CONFIG>\n<OVERRIDES${attrs}/>\n</PHONE_CONFIG>\n`;
}
