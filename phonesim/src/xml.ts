/**
 * A small, total XML scanner for Polycom configuration files: it returns every element's name and attributes
 * in document order. Text content is ignored (Polycom .cfg files keep all values in attributes).
 * Comments, processing instructions, DOCTYPE and CDATA are skipped. It never throws.
 */
import { err, ok, type Result } from '../../src/shared/result.ts';
import { type SimError, simError } from './errors.ts';

export interface XmlElement {
  readonly name: string;
  /** Attributes in document order; a repeated attribute keeps every occurrence. */
  readonly attrs: readonly (readonly [string, string])[];
  /** Nesting depth, 0 for the root. */
  readonly depth: number;
}

const NAME = /[A-Za-z_:][\w.:-]*/y;

/** What the scanner skips: opening, closing, and its name in an error (longest openings first). */
const SKIPPED = [
  ['<!--', '-->', 'comment'],
  ['<![CDATA[', ']]>', 'CDATA'],
  ['<?', '?>', 'processing instruction'],
  ['<!', '>', 'declaration'],
] as const;

export function decodeEntities(s: string): string {
  if (!s.includes('&')) return s;
  return s.replace(
    /&(#x[0-9a-fA-F]+|#\d+|amp|lt|gt|quot|apos);/g,
    (m, e: string) => {
      if (e === 'amp') return '&';
      if (e === 'lt') return '<';
      if (e === 'gt') return '>';
      if (e === 'quot') return '"';
      if (e === 'apos') return "'";
      const code = e.startsWith('#x')
        ? parseInt(e.slice(2), 16)
        : parseInt(e.slice(1), 10);
      return code >= 0 && code <= 0x10ffff ? String.fromCodePoint(code) : m;
    },
  );
}

const bad = (msg: string, at: number): { ok: false; error: SimError } =>
  err(simError('SIM_XML_MALFORMED', `${msg} at offset ${at}`));

export function scanXml(text: string): Result<XmlElement[], SimError> {
  const out: XmlElement[] = [];
  const stack: string[] = [];
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const n = text.length;
  while (i < n) {
    const lt = text.indexOf('<', i);
    if (lt < 0) break;
    i = lt;
    const skip = SKIPPED.find(([open]) => text.startsWith(open, i));
    if (skip) {
      const [open, close, what] = skip;
      const end = text.indexOf(close, i + open.length);
      if (end < 0) return bad(`unterminated ${what}`, i);
      i = end + close.length;
      continue;
    }
    if (text.startsWith('</', i)) {
      NAME.lastIndex = i + 2;
      const m = NAME.exec(text);
      if (!m) return bad('bad closing tag', i);
      const open = stack.pop();
      if (open !== m[0])
        return bad(`closing tag </${m[0]}> does not match <${open ?? ''}>`, i);
      const end = text.indexOf('>', NAME.lastIndex);
      if (end < 0 || text.slice(NAME.lastIndex, end).trim() !== '')
        return bad('bad closing tag', i);
      i = end + 1;
      continue;
    }
    NAME.lastIndex = i + 1;
    const m = NAME.exec(text);
    if (!m) return bad('bad tag name', i);
    const name = m[0];
    let j = NAME.lastIndex;
    const attrs: [string, string][] = [];
    let selfClosing = false;
    for (;;) {
      while (j < n && /\s/.test(text[j]!)) j++;
      if (j >= n) return bad(`unterminated tag <${name}>`, i);
      if (text[j] === '>') {
        j++;
        break;
      }
      if (text.startsWith('/>', j)) {
        j += 2;
        selfClosing = true;
        break;
      }
      NAME.lastIndex = j;
      const a = NAME.exec(text);
      if (!a) return bad(`bad attribute in <${name}>`, j);
      j = NAME.lastIndex;
      while (j < n && /\s/.test(text[j]!)) j++;
      if (text[j] !== '=') return bad(`attribute ${a[0]} has no value`, j);
      j++;
      while (j < n && /\s/.test(text[j]!)) j++;
      const q = text[j];
      if (q !== '"' && q !== "'")
        return bad(`attribute ${a[0]} value is not quoted`, j);
      const close = text.indexOf(q, j + 1);
      if (close < 0) return bad(`unterminated value of ${a[0]}`, j);
      attrs.push([a[0], decodeEntities(text.slice(j + 1, close))]);
      j = close + 1;
    }
    out.push({ name, attrs, depth: stack.length });
    if (!selfClosing) stack.push(name);
    i = j;
  }
  if (stack.length > 0)
    return bad(`element <${stack[stack.length - 1]!}> is not closed`, n);
  if (out.length === 0) return bad('no element', 0);
  return ok(out);
}
