/** Well-formed, escaped XML for Polycom files. Deterministic: attributes in the order given. */

const ESC: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
  '\n': '&#10;',
  '\r': '&#13;',
  '\t': '&#9;',
};

// biome-ignore lint/suspicious/noControlCharactersInRegex: XML 1.0 forbids these characters; they are removed
const XML_FORBIDDEN = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g;

/** Escapes markup characters (and line breaks, which attribute values would otherwise lose) and drops characters XML 1.0 cannot carry (controls other than tab/newline). */
export function escapeXml(s: string): string {
  return s.replace(XML_FORBIDDEN, '').replace(/[&<>"'\n\r\t]/g, (c) => ESC[c]!);
}

export const XML_DECL =
  '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>';

export function comment(text: string): string {
  return `<!-- ${text.replace(/--/g, '- -')} -->`;
}

/** <NAME a="1" b="2"/> with one attribute per line after the first when there are many. */
export function element(
  name: string,
  attrs: readonly (readonly [string, string])[],
  indent = '',
  selfClose = true,
): string {
  const end = selfClose ? '/>' : '>';
  if (attrs.length === 0) return `${indent}<${name}${end}`;
  if (attrs.length <= 2)
    return `${indent}<${name} ${attrs.map(([k, v]) => `${k}="${escapeXml(v)}"`).join(' ')}${end}`;
  const pad = indent + ' '.repeat(name.length + 2);
  return `${indent}<${name} ${attrs.map(([k, v], i) => `${i === 0 ? '' : pad}${k}="${escapeXml(v)}"`).join('\n')}${end}`;
}
