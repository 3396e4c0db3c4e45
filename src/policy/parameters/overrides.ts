/**
 * A phone's own changes: the <MAC>-phone.cfg (menu) and <MAC>-web.cfg (web UI) files it uploads hold
 * parameters it applies after every file appliance.yaml renders, so the phone's value wins. Here: what such a
 * file sets, what appliance.yaml gives the phone (its files' order: phone, model, site, common; leftmost
 * wins), and the comparison of the two. Pure.
 */
import { SaxesParser } from 'saxes';
import type { ApplianceModel } from '../../config/model.ts';
import type { Mac } from '../../shared/mac.ts';
import { commonParameters, siteParameters } from '../derived-params.ts';
import { resolvePhone } from '../release.ts';

/** Every attribute of every element of an override file (Polycom writes them on <OVERRIDES>). */
export function overrideParameters(xml: string): Map<string, string> {
  const out = new Map<string, string>();
  const parser = new SaxesParser({ position: false });
  parser.on('opentag', (tag) => {
    for (const [k, v] of Object.entries(
      tag.attributes as Record<string, string>,
    ))
      if (k.includes('.')) out.set(k, v);
  });
  parser.write(xml).close();
  return out;
}

/** The parameters appliance.yaml gives one phone, with the file each comes from. */
export function applianceParameters(
  model: ApplianceModel,
  mac: Mac,
): Map<string, { value: string; from: string }> {
  const p = resolvePhone(model, { mac });
  const out = new Map<string, { value: string; from: string }>();
  const layers: [string, Readonly<Record<string, string>>][] = [
    ['phone', p.entry?.parameters ?? {}],
    ['model', p.info?.parameters ?? {}],
    ['site', siteParameters(model, p.site)],
    ['common', commonParameters(model)],
  ];
  for (const [from, params] of layers)
    for (const [k, v] of Object.entries(params))
      if (!out.has(k)) out.set(k, { value: v, from });
  return out;
}

export interface OverrideRow {
  readonly name: string;
  readonly phone: string;
  /** What appliance.yaml gives the phone, undefined when it sets nothing of that name. */
  readonly appliance: { value: string; from: string } | undefined;
  readonly differs: boolean;
}

export function compareOverrides(
  phoneSets: ReadonlyMap<string, string>,
  fromYaml: ReadonlyMap<string, { value: string; from: string }>,
): OverrideRow[] {
  return [...phoneSets]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, phone]) => {
      const appliance = fromYaml.get(name);
      return {
        name,
        phone,
        appliance,
        differs: appliance !== undefined && appliance.value !== phone,
      };
    });
}
