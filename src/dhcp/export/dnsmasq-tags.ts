/**
 * appliance.yaml classes as dnsmasq tags: option 60 forms set v60-<MODEL> (dhcp-match compares a prefix,
 * `*` for the binary form's length byte), phone entries set entry-<MODEL> (dhcp-host), and tag-if lines turn
 * them into model-<MODEL> (an entry's model wins over option 60) and class-<NAME> (every selector must hold).
 */
import type { ApplianceModel, DhcpClass } from '../../config/model.ts';
import type { Report } from './report.ts';
import { matchedModels, option60Forms, phonesWithModel } from './selectors.ts';

export const siteTag = (site: string): string => `site-${site}`;
export const classTag = (name: string): string => `class-${name}`;
export const phoneTag = (mac: string): string => `phone-${mac}`;
const hexBytes = (b: Uint8Array): string => [...b].map((x) => x.toString(16).padStart(2, '0')).join(':');

export interface ClassTags {
  /** dhcp-match, dhcp-vendorclass and tag-if lines, in the order dnsmasq must read them. */
  readonly lines: string[];
  /** Classes that got a tag (the others never apply). */
  readonly tagged: Set<string>;
}

export function classTags(model: ApplianceModel, classes: readonly DhcpClass[], report: Report): ClassTags {
  const lines: string[] = [];
  const tagged = new Set<string>();
  const tokens = new Set<string>();
  const perClass = classes.map((cls) => ({ cls, models: matchedModels(model, cls.match) }));
  for (const { models } of perClass) for (const t of models ?? []) tokens.add(t);
  for (const t of tokens) {
    const forms = option60Forms(model, t);
    if (forms.binaryList) lines.push(`dhcp-match=set:v60-${t},60,00:00:36:3d:*:${hexBytes(forms.binaryList)}`);
    for (const text of forms.ascii) lines.push(`dhcp-match=set:v60-${t},60,${hexBytes(Buffer.from(text, 'latin1'))}`);
  }
  if (tokens.size) {
    report.differs('DHCP_EXPORT_DNSMASQ_PREFIX', 'classes', 'dnsmasq compares option 60 by prefix: an ASCII form with more characters after the model (Polycom-VVX4100) also matches');
  }
  const entries = phonesWithModel(model);
  for (const t of tokens) {
    if (entries.some((p) => p.model === t)) lines.push(`tag-if=set:model-${t},tag:entry-${t}`);
    lines.push(`tag-if=set:model-${t},tag:v60-${t}${entries.length ? ',tag:!entry-model' : ''}`);
  }
  for (const { cls, models } of perClass) {
    const where = `classes.${cls.name}`;
    if (models !== undefined && models.length === 0) {
      report.differs('DHCP_EXPORT_CLASS_NEVER', where, 'no known model and no phone entry fits the match; the class is left out (it never applies on the appliance either)');
      continue;
    }
    const conds: string[] = [];
    if (cls.match.vendorClass !== undefined) {
      if (cls.match.vendorClass.includes(';')) report.differs('DHCP_EXPORT_VENDOR_CLASS_FIELDS', where, 'dnsmasq searches the raw option 60 bytes; a vendorClass spanning two binary sub-options (with ";") does not match there');
      lines.push(`dhcp-vendorclass=set:vc-${cls.name},${cls.match.vendorClass}`);
      conds.push(`tag:vc-${cls.name}`);
    }
    if (cls.match.site !== undefined) conds.push(`tag:${siteTag(cls.match.site)}`);
    for (const m of models ?? [undefined]) lines.push(`tag-if=${[`set:${classTag(cls.name)}`, ...(m ? [`tag:model-${m}`] : []), ...conds].join(',')}`);
    tagged.add(cls.name);
  }
  return { lines, tagged };
}
