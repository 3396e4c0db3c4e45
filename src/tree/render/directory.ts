/** The contact directory (000000000000-directory.xml) in Polycom's <directory><item_list> format. */
import type { DirectoryEntry } from '../../config/model.ts';
import { XML_DECL, comment, escapeXml } from './xml.ts';

export function renderDirectory(title: string, entries: readonly DirectoryEntry[]): string {
  const items = entries.map((e) => {
    const fields: [string, string][] = [['ln', e.lastName], ['fn', e.firstName], ['ct', e.contact]];
    if (e.speedDial !== undefined) fields.push(['sd', String(e.speedDial)]);
    return ['    <item>', ...fields.map(([k, v]) => `      <${k}>${escapeXml(v)}</${k}>`), '    </item>'].join('\n');
  });
  return [XML_DECL, comment(title), '<directory>', '  <item_list>', ...items, '  </item_list>', '</directory>', ''].join('\n');
}
