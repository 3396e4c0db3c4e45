/**
 * Contact directories (000000000000-directory.xml, <MAC>-directory.xml) in Polycom's <directory><item_list>
 * format, fields in the order of seed 003 (ln fn ct sd rt dc ad ar bw bb, then UC 4.1.6's lb pt).
 */
import type { DirectoryEntry } from '../../config/model.ts';
import { comment, escapeXml, XML_DECL } from './xml.ts';

const flag = (b: boolean | undefined): string | undefined =>
  b === undefined ? undefined : b ? '1' : '0';

function fieldsOf(e: DirectoryEntry): [string, string][] {
  const all: [string, string | undefined][] = [
    ['ln', e.lastName],
    ['fn', e.firstName],
    ['ct', e.contact],
    ['sd', e.speedDial?.toString()],
    ['rt', e.ringType?.toString()],
    ['dc', e.divertContact],
    ['ad', flag(e.autoDivert)],
    ['ar', flag(e.autoReject)],
    ['bw', flag(e.buddyWatch)],
    ['bb', flag(e.buddyBlock)],
    ['lb', e.label],
    ['pt', e.protocol],
  ];
  return all.filter((f): f is [string, string] => f[1] !== undefined);
}

export function renderDirectory(
  title: string,
  entries: readonly DirectoryEntry[],
): string {
  const items = entries.map((e) =>
    [
      '    <item>',
      ...fieldsOf(e).map(([k, v]) => `      <${k}>${escapeXml(v)}</${k}>`),
      '    </item>',
    ].join('\n'),
  );
  return [
    XML_DECL,
    comment(title),
    '<directory>',
    '  <item_list>',
    ...items,
    '  </item_list>',
    '</directory>',
    '',
  ].join('\n');
}
