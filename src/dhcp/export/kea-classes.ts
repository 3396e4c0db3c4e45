/**
 * Class tests in Kea's expression language (Kea 2.2). Each model a class names becomes a class model-<MODEL>
 * tested on the MAC (phones whose entry names a model) and on option 60 in both Polycom forms, exactly the
 * strings our decoder reads as that model; a class of appliance.yaml is then member('model-…') of its models.
 * Kea 2.2 has no substring search, so a vendorClass selector cannot be written.
 */
import type { ApplianceModel, DhcpClass } from '../../config/model.ts';
import { toHex } from '../codec/values.ts';
import type { Report } from './report.ts';
import {
  matchedModels,
  noteClassMatch,
  option60Forms,
  phonesWithModel,
} from './selectors.ts';

const macTest = (mac: string): string => `pkt4.mac == 0x${mac}`;
const any = (parts: readonly string[]): string =>
  parts.length === 1 ? parts[0]! : `(${parts.join(' or ')})`;

/** The option 60 tests for one model token: binary (signature, then the first two sub-options) and ASCII. */
export function option60Test(model: ApplianceModel, token: string): string[] {
  const forms = option60Forms(model, token);
  const out: string[] = [];
  if (forms.binaryList) {
    out.push(
      `(substring(option[60].hex,0,4) == 0x0000363D and substring(option[60].hex,5,${forms.binaryList.length}) == 0x${toHex(forms.binaryList).toUpperCase()})`,
    );
  }
  for (const text of forms.ascii) out.push(`option[60].text == '${text}'`);
  return out;
}

/** "The request's model label is one of these": an entry's model wins, option 60 counts for phones without one. */
export function modelLabelTest(
  model: ApplianceModel,
  tokens: readonly string[],
): string | undefined {
  const entries = phonesWithModel(model);
  const parts = entries
    .filter((p) => tokens.includes(p.model!))
    .map((p) => macTest(p.mac));
  const v60 = tokens.flatMap((t) => option60Test(model, t));
  if (v60.length > 0) {
    const byOption60 = any(v60);
    parts.push(
      entries.length
        ? `(not ${any(entries.map((p) => macTest(p.mac)))} and ${byOption60})`
        : byOption60,
    );
  }
  return parts.length ? any(parts) : undefined;
}

/**
 * The Kea test of a class: undefined = no test (the class applies to every request of the sites that list it),
 * null = the class is left out (it can never match, or cannot be written; reported).
 */
export function classTest(
  model: ApplianceModel,
  cls: DhcpClass,
  report: Report,
  modelClasses: Map<string, string>,
): string | undefined | null {
  const where = `classes.${cls.name}`;
  if (cls.match.vendorClass !== undefined) {
    report.lost(
      'DHCP_EXPORT_VENDOR_CLASS_SUBSTRING',
      where,
      `match.vendorClass "${cls.match.vendorClass}" is a substring test on option 60; Kea 2.2 expressions have no substring search, so the class is left out`,
    );
    return null;
  }
  const tokens = matchedModels(model, cls.match);
  if (tokens === undefined) return undefined;
  const members: string[] = [];
  for (const t of tokens) {
    const test = modelClasses.get(t) ?? modelLabelTest(model, [t]);
    if (test === undefined) continue;
    modelClasses.set(t, test);
    members.push(`member('${modelClass(t)}')`);
  }
  noteClassMatch(model, cls, members.length ? tokens : [], report);
  return members.length ? any(members) : null;
}

export const modelClass = (token: string): string => `model-${token}`;
