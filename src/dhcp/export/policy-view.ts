/**
 * The compiled DHCP policy (../policy.ts, the one the engine answers from) as the exporters need it: per
 * site, class and phone the encoded option bytes, and whether the engine sends each one unasked. Nothing is
 * encoded here: the bytes are the engine's own, so an export cannot drift from what the appliance sends.
 */
import type {
  ApplianceModel,
  DhcpClass,
  Phone,
  Site,
} from '../../config/model.ts';
import { optionType } from '../codec/catalog.ts';
import { ips, string, toHex } from '../codec/values.ts';
import { compile, PROTOCOL_CODES } from '../policy.ts';
import { type ExportResult, Report, type Target } from './report.ts';

export interface ExportOption {
  readonly code: number;
  readonly bytes: Uint8Array;
  /** Sent even when the phone's option 55 does not ask for it (Kea always-send, dnsmasq dhcp-option-force). */
  readonly always: boolean;
  /** Text whatever its code (the DVD string in a custom VLAN option). */
  readonly text?: boolean;
}

export interface SiteView {
  readonly site: Site;
  readonly options: readonly ExportOption[];
  /** "fixed" VLAN discovery: the DVD string the engine puts in the first of 128/144/157/191 the phone asks for. */
  readonly fixedVlan: Uint8Array | undefined;
}

export interface ClassView {
  readonly cls: DhcpClass;
  readonly options: readonly ExportOption[];
}
export interface PhoneView {
  readonly phone: Phone;
  readonly options: readonly ExportOption[];
}

export interface PolicyView {
  readonly sites: readonly SiteView[];
  readonly classes: readonly ClassView[];
  readonly phones: readonly PhoneView[];
}

/** The configured options the engine sends (it writes the protocol codes, 50-59, 61, 82 …, itself). */
const listOf = (
  set: ReadonlyMap<number, Uint8Array>,
  always: (code: number) => boolean,
): ExportOption[] =>
  [...set]
    .filter(([code]) => !PROTOCOL_CODES.has(code))
    .map(([code, bytes]) => ({ code, bytes, always: always(code) }));

export function policyView(model: ApplianceModel, report: Report): PolicyView {
  const c = compile(model);
  for (const e of c.errors)
    report.lost(
      'DHCP_EXPORT_POLICY_ERROR',
      'policy',
      `${e} (the appliance does not send it either)`,
    );
  const sites: SiteView[] = [];
  for (const site of model.sites.values()) {
    const p = c.sites.get(site.name);
    if (!p) continue;
    const explicit = new Set([
      1,
      ...p.forced,
      ...site.options.map((o) => o.code),
    ]);
    const vlanCode = site.vlan?.option;
    const options = listOf(p.options, (code) => explicit.has(code)).map((o) =>
      o.code === vlanCode ? { ...o, text: true } : o,
    );
    sites.push({ site, options, fixedVlan: p.fixedVlan });
  }
  const classes = model.classes.map((cls, i) => ({
    cls,
    options: listOf(c.classes[i]!.options, () => true),
  }));
  const phones: PhoneView[] = [];
  for (const phone of model.phones.values())
    phones.push({
      phone,
      options: listOf(c.phones.get(phone.mac) ?? new Map(), () => true),
    });
  return { sites, classes, phones };
}

/** An option value as configuration text: text for string options, addresses for address options, else hex. */
export type RenderedValue =
  | { kind: 'text'; text: string }
  | { kind: 'ips'; list: readonly string[] }
  | { kind: 'hex'; hex: string };

export function renderValue(o: ExportOption): RenderedValue {
  const { code, bytes } = o;
  const type = o.text ? 'string' : optionType(code);
  if (type === 'string') {
    const text = string.decode(bytes);
    if (
      text !== undefined &&
      text.length === bytes.length &&
      /^[\x20-\x7e]*$/.test(text)
    )
      return { kind: 'text', text };
  }
  if (type === 'ip' || type === 'ips') {
    const list = ips.decode(bytes);
    if (list !== undefined && (type === 'ips' || list.length === 1))
      return { kind: 'ips', list };
  }
  return { kind: 'hex', hex: toHex(bytes) };
}

/** The start of an export: the policy view, the report its findings go to, and `done` for the file text. */
export function startExport(
  target: Target,
  model: ApplianceModel,
): { view: PolicyView; report: Report; done(text: string): ExportResult } {
  const report = new Report();
  return {
    view: policyView(model, report),
    report,
    done: (text) => ({ target, text, findings: report.findings }),
  };
}
