/**
 * appliance.yaml classes as dnsmasq tags: option 60 forms set v60-<MODEL> (the binary signature by dhcp-match
 * plus its model string by dhcp-vendorclass; an ASCII form by dhcp-match, which compares a prefix), phone
 * entries set entry-<MODEL> (dhcp-host), and tag-if lines turn
 * them into model-<MODEL> (an entry's model wins over option 60) and class-<NAME> (every selector must hold).
 * The catalog's ASCII forms are compared as prefixes and its binary model strings searched for, so a model
 * whose strings extend another's (VVX1500, VVX150) is excluded from the shorter one by a negated tag.
 */
import type { ApplianceModel, DhcpClass } from '../../config/model.ts';
import type { Report } from './report.ts';
import {
  matchedModels,
  noteClassMatch,
  option60Forms,
  phonesWithModel,
} from './selectors.ts';

export const siteTag = (site: string): string => `site-${site}`;
export const classTag = (name: string): string => `class-${name}`;
export const phoneTag = (mac: string): string => `phone-${mac}`;
const hexBytes = (b: Uint8Array): string =>
  [...b].map((x) => x.toString(16).padStart(2, '0')).join(':');

export interface ClassTags {
  /** dhcp-match, dhcp-vendorclass and tag-if lines, in the order dnsmasq must read them. */
  readonly lines: string[];
  /** Classes that got a tag (the others never apply). */
  readonly tagged: Set<string>;
}

export function classTags(
  model: ApplianceModel,
  classes: readonly DhcpClass[],
  report: Report,
): ClassTags {
  const lines: string[] = [];
  const tagged = new Set<string>();
  const tokens = new Set<string>();
  const perClass = classes.map((cls) => ({
    cls,
    models: matchedModels(model, cls.match),
  }));
  for (const { models } of perClass)
    for (const t of models ?? []) tokens.add(t);
  const forms = new Map([...tokens].map((t) => [t, option60Forms(model, t)]));
  const binary = (t: string): string | undefined => {
    const b = forms.get(t)!.binaryList;
    return b && Buffer.from(b.subarray(b[1]! + 4)).toString('latin1');
  };
  if ([...tokens].some((t) => binary(t) !== undefined))
    lines.push('dhcp-match=set:v60-binary,60,00:00:36:3d');
  for (const t of tokens) {
    // Binary form: the signature, and the model string of sub-option 2 anywhere in option 60 (dhcp-vendorclass
    // searches; dhcp-match wildcards reach only 32 bytes back, too short for SoundStationIP-SSIP_6000).
    const b = binary(t);
    if (b !== undefined) lines.push(`dhcp-vendorclass=set:v60b-${t},${b}`);
    for (const text of forms.get(t)!.ascii)
      lines.push(
        `dhcp-match=set:v60a-${t},60,${hexBytes(Buffer.from(text, 'latin1'))}`,
      );
  }
  // A longer model's strings contain a shorter one's (VVX-VVX_1500, VVX-VVX_150): the shorter yields to it.
  for (const t of tokens) {
    const b = binary(t);
    const longerB = [...tokens].filter(
      (u) => u !== t && b !== undefined && binary(u)?.includes(b),
    );
    const a = forms.get(t)!.ascii;
    const longerA = [...tokens].filter(
      (u) =>
        u !== t &&
        forms.get(u)!.ascii.some((x) => a.some((y) => x.startsWith(y))),
    );
    if (b !== undefined)
      lines.push(
        `tag-if=${[`set:v60-${t}`, 'tag:v60-binary', `tag:v60b-${t}`, ...longerB.map((u) => `tag:!v60b-${u}`)].join(',')}`,
      );
    if (a.length)
      lines.push(
        `tag-if=${[`set:v60-${t}`, `tag:v60a-${t}`, ...longerA.map((u) => `tag:!v60a-${u}`)].join(',')}`,
      );
  }
  const entries = phonesWithModel(model);
  for (const t of tokens) {
    if (entries.some((p) => p.model === t))
      lines.push(`tag-if=set:model-${t},tag:entry-${t}`);
    lines.push(
      `tag-if=set:model-${t},tag:v60-${t}${entries.length ? ',tag:!entry-model' : ''}`,
    );
  }
  for (const { cls, models } of perClass) {
    const where = `classes.${cls.name}`;
    if (models !== undefined) noteClassMatch(model, cls, models, report);
    if (models !== undefined && models.length === 0) continue;
    const conds: string[] = [];
    if (cls.match.vendorClass !== undefined) {
      if (cls.match.vendorClass.includes(';'))
        report.differs(
          'DHCP_EXPORT_VENDOR_CLASS_FIELDS',
          where,
          'dnsmasq searches the raw option 60 bytes; a vendorClass spanning two binary sub-options (with ";") does not match there',
        );
      lines.push(
        `dhcp-vendorclass=set:vc-${cls.name},${cls.match.vendorClass}`,
      );
      conds.push(`tag:vc-${cls.name}`);
    }
    if (cls.match.site !== undefined)
      conds.push(`tag:${siteTag(cls.match.site)}`);
    for (const m of models ?? [undefined])
      lines.push(
        `tag-if=${[`set:${classTag(cls.name)}`, ...(m ? [`tag:model-${m}`] : []), ...conds].join(',')}`,
      );
    tagged.add(cls.name);
  }
  return { lines, tagged };
}
