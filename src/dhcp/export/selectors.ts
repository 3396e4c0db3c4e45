/**
 * A class's match (policy/select.ts) restated for servers that have no labels: which model tokens it
 * accepts, how each model shows in option 60 (the bytes our decoder, policy/vendor-class.ts, reads as that
 * model), and which phones' appliance.yaml entries name a model (an entry's model wins over option 60).
 */
import type {
  ApplianceModel,
  ClassMatch,
  DhcpClass,
  Phone,
  Site,
} from '../../config/model.ts';
import {
  decodeVendorClass,
  encodePolycomVendorClass,
} from '../../policy/vendor-class.ts';
import { inCidr, parseIpv4 } from '../../shared/ipv4.ts';
import type { Report } from './report.ts';

/** The model tokens a match accepts, or undefined when it does not constrain the model. */
export const constrainsModel = (match: ClassMatch): boolean =>
  match.model !== undefined ||
  match.family !== undefined ||
  match.partNumber !== undefined;

export function matchedModels(
  model: ApplianceModel,
  match: ClassMatch,
): string[] | undefined {
  if (!constrainsModel(match)) return undefined;
  const known = [...model.models.values()];
  if (match.model !== undefined && !model.models.has(match.model)) {
    // A token the catalog does not know still arrives in option 60; without catalog data it has no family or part.
    return match.family === undefined && match.partNumber === undefined
      ? [match.model]
      : [];
  }
  return known
    .filter(
      (m) =>
        (match.model === undefined || m.model === match.model) &&
        (match.family === undefined || m.family === match.family) &&
        (match.partNumber === undefined || m.partNumber === match.partNumber),
    )
    .map((m) => m.model);
}

export interface Option60Forms {
  /**
   * Binary form: the sub-option list a phone of this model starts with (1 "Polycom", 2 "<uaFamily>-<uaToken>"),
   * compared from byte 5 on (after 00 00 36 3d and the list length); undefined when the catalog does not know
   * the model's User-Agent family.
   */
  readonly binaryList: Uint8Array | undefined;
  /** Every ASCII option 60 the decoder reads as this model (Polycom-VVX410, Poly-VVX-410 …). */
  readonly ascii: readonly string[];
}

const ASCII_PREFIXES = ['Polycom-', 'Poly-'];

export function option60Forms(
  model: ApplianceModel,
  token: string,
): Option60Forms {
  const info = model.models.get(token);
  const binaryList = info
    ? encodePolycomVendorClass({
        model: `${info.uaFamily}-${info.uaToken}`,
      }).subarray(5)
    : undefined;
  const ascii = new Set<string>();
  for (const prefix of ASCII_PREFIXES) {
    for (let i = 1; i < token.length; i++) {
      for (const sep of ['', '-']) {
        const text = `${prefix}${token.slice(0, i)}${sep}${token.slice(i)}`;
        const d = decodeVendorClass(Buffer.from(text, 'latin1'));
        if (d.form === 'ascii' && d.model === token) ascii.add(text);
      }
    }
  }
  return { binaryList, ascii: [...ascii] };
}

/** Phones whose appliance.yaml entry names a model: for them the entry, not option 60, gives the model. */
export const phonesWithModel = (model: ApplianceModel): Phone[] =>
  [...model.phones.values()].filter((p) => p.model !== undefined);

/** How an exporter's option 60 matching falls short of the decoder (reported once per export). */
export function noteOption60(report: Report, how: string): void {
  report.differs(
    'DHCP_EXPORT_OPTION60_FORMS',
    'classes',
    `${how}; the appliance's decoder also accepts another company string or family prefix in the binary form`,
  );
}

/** A reservation belongs to the site whose subnet holds it (the engine ignores it elsewhere). */
export function addressIn(site: Site, address: string | undefined): boolean {
  const a = address === undefined ? undefined : parseIpv4(address);
  return a?.ok === true && inCidr(site.subnet, a.value);
}

/** What every exporter reports about one class's model selectors (tokens from matchedModels). */
export function noteClassMatch(
  model: ApplianceModel,
  cls: DhcpClass,
  tokens: readonly string[],
  report: Report,
): void {
  const where = `classes.${cls.name}`;
  if (tokens.length === 0)
    report.differs(
      'DHCP_EXPORT_CLASS_NEVER',
      where,
      'no known model and no phone entry fits the match; the class is left out (it never applies on the appliance either)',
    );
  for (const t of tokens) {
    if (option60Forms(model, t).ascii.length === 0)
      report.differs(
        'DHCP_EXPORT_NO_ASCII_FORM',
        where,
        `model ${t} has no ASCII option 60 form the decoder reads; only its binary form and phone entries are matched`,
      );
  }
  if (cls.match.partNumber !== undefined)
    report.differs(
      'DHCP_EXPORT_PART_BY_MODEL',
      where,
      'match.partNumber is tested through the catalog models with that part number, not through option 60 sub-option 3',
    );
}
