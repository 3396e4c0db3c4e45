/**
 * Parameter files (site.cfg, common.cfg, model-VVX410.cfg, <MAC>-appliance.cfg): Polycom XML whose
 * attributes are parameters. Names sorted, so the same model always renders the same bytes.
 */
import type { Parameters } from '../../config/model.ts';
import { comment, element, XML_DECL } from './xml.ts';

export function renderParams(title: string, params: Parameters): string {
  const attrs = Object.keys(params)
    .sort()
    .map((k) => [k, params[k]!] as const);
  return [
    XML_DECL,
    comment(title),
    '<PHONE_CONFIG>',
    element('ALL', attrs, '  '),
    '</PHONE_CONFIG>',
    '',
  ].join('\n');
}
