/**
 * Policy as data: the options a phone gets. Site options first, then every class whose match fits the
 * request's labels (appliance.yaml order), then the phone's own entry; later wins per option code.
 * Values are encoded once per model object and cached (WeakMap keyed by the frozen model), so a request
 * costs a few Map look-ups.
 */
import type {
  ApplianceModel,
  OptionValue,
  Phone,
  Site,
} from '../config/model.ts';
import { ntpServersFor } from '../policy/derived-params.ts';
import type { Labels } from '../policy/labels.ts';
import { matches, selectClasses } from '../policy/select.ts';
import { formatIpv4, parseIpv4 } from '../shared/ipv4.ts';
import type { Mac } from '../shared/mac.ts';
import { FIXED_VLAN_OPTIONS } from '../shared/polycom-dhcp.ts';
import { i32, ip, ips, string } from './codec/values.ts';
import { vlanDiscovery } from './codec/vlan.ts';
import { encodeOptionValue } from './configured-options.ts';

export type OptionSet = ReadonlyMap<number, Uint8Array>;

export interface SitePolicy {
  readonly options: OptionSet;
  /** Codes sent even when the phone did not ask (boot server, VLAN). */
  readonly forced: readonly number[];
  /** VLAN string for "fixed" discovery, sent in whichever of 128/144/157/191 the phone asks for (128 if none). */
  readonly fixedVlan: Uint8Array | undefined;
}

interface Compiled {
  readonly sites: Map<string, SitePolicy>;
  readonly classes: {
    match: ApplianceModel['classes'][number]['match'];
    options: OptionSet;
  }[];
  readonly phones: Map<Mac, OptionSet>;
  /** Reserved addresses (all phones), so pools skip them. */
  readonly reserved: Set<number>;
  /** Reservation per MAC. */
  readonly reservation: Map<Mac, number>;
  readonly errors: string[];
  /** Memo of replyOptions, keyed by site, matched classes, own entry and option-55 list (bounded). */
  readonly replies: Map<string, readonly [number, Uint8Array][]>;
}

/** Distinct (site, classes, 55 list) combinations remembered per model; beyond it, computed each time. */
export const REPLY_MEMO_MAX = 4096;

const cache = new WeakMap<ApplianceModel, Compiled>();

function encodeList(
  list: readonly OptionValue[],
  into: Map<number, Uint8Array>,
  errors: string[],
  where: string,
): void {
  for (const o of list) {
    const r = encodeOptionValue(o);
    if (r.ok) into.set(o.code, r.value);
    else errors.push(`${where}: ${r.error}`);
  }
}

function sitePolicy(
  model: ApplianceModel,
  site: Site,
  errors: string[],
): SitePolicy {
  const m = new Map<number, Uint8Array>();
  const put = (
    code: number,
    r: { ok: true; value: Uint8Array } | { ok: false; error: string },
  ): void => {
    if (r.ok) m.set(code, r.value);
    else errors.push(`site ${site.name} option ${code}: ${r.error}`);
  };
  put(1, ip.encode(formatIpv4(site.subnet.mask)));
  if (site.timeOffset !== undefined) put(2, i32.encode(site.timeOffset));
  if (site.router) put(3, ips.encode([site.router]));
  if (site.dns.length) put(6, ips.encode(site.dns));
  if (site.domain) put(15, string.encode(site.domain));
  const ntp = ntpServersFor(model, site);
  if (ntp.length) put(42, ips.encode(ntp));
  put(66, string.encode(site.bootServer.url));
  put(160, string.encode(site.bootServer.url));
  const forced = [66, 160];
  let fixedVlan: Uint8Array | undefined;
  if (site.vlan) {
    const dvd = string.encode(vlanDiscovery(site.vlan.ids));
    if (!dvd.ok) errors.push(`site ${site.name} vlan: ${dvd.error}`);
    else if (site.vlan.option === 'fixed') fixedVlan = dvd.value;
    else {
      m.set(site.vlan.option, dvd.value);
      forced.push(site.vlan.option);
    }
  }
  encodeList(site.options, m, errors, `site ${site.name}`);
  return { options: m, forced, fixedVlan };
}

export function compile(model: ApplianceModel): Compiled {
  const hit = cache.get(model);
  if (hit) return hit;
  const errors: string[] = [];
  const sites = new Map<string, SitePolicy>();
  for (const s of model.sites.values())
    sites.set(s.name, sitePolicy(model, s, errors));
  const classes = model.classes.map((c) => {
    const m = new Map<number, Uint8Array>();
    encodeList(c.options, m, errors, `class ${c.name}`);
    return { match: c.match, options: m };
  });
  const phones = new Map<Mac, OptionSet>();
  const reserved = new Set<number>();
  const reservation = new Map<Mac, number>();
  for (const p of model.phones.values()) {
    if (p.options.length) {
      const m = new Map<number, Uint8Array>();
      encodeList(p.options, m, errors, `phone ${p.mac}`);
      phones.set(p.mac, m);
    }
    if (p.address) {
      const a = parseIpv4(p.address);
      if (a.ok) {
        reserved.add(a.value);
        reservation.set(p.mac, a.value);
      }
    }
  }
  const out: Compiled = {
    sites,
    classes,
    phones,
    reserved,
    reservation,
    errors,
    replies: new Map(),
  };
  cache.set(model, out);
  return out;
}

/** Site, then classes, then phone; later wins per code. */
export function optionsFor(
  model: ApplianceModel,
  site: Site,
  labels: Labels,
  phone: Phone | undefined,
): { set: Map<number, Uint8Array>; explicit: number[]; policy: SitePolicy } {
  const c = compile(model);
  const policy = c.sites.get(site.name) ?? sitePolicy(model, site, []);
  const set = new Map(policy.options);
  const explicit = site.options.map((o) => o.code);
  for (const cl of selectClasses(c.classes, labels)) {
    for (const [k, v] of cl.options) {
      set.set(k, v);
      explicit.push(k);
    }
  }
  const own = phone ? c.phones.get(phone.mac) : undefined;
  if (own)
    for (const [k, v] of own) {
      set.set(k, v);
      explicit.push(k);
    }
  return { set, explicit, policy };
}

/**
 * optionsFor + orderOptions, memoised per model: phones of one site, class set and option-55 list get the
 * same (shared, never mutated) list, so a request costs the class matches and one Map look-up.
 */
export function replyOptions(
  model: ApplianceModel,
  site: Site,
  labels: Labels,
  phone: Phone | undefined,
  prl: readonly number[] | undefined,
): readonly [number, Uint8Array][] {
  const c = compile(model);
  const own = phone !== undefined && c.phones.has(phone.mac);
  let key = `${site.name}|`;
  for (let i = 0; i < c.classes.length; i++)
    key += matches(c.classes[i]!.match, labels) ? '1' : '0';
  // The option-55 list as one character per code ('-' alone when there is none).
  key += `|${own ? phone.mac : ''}|${prl === undefined ? '-' : `p${String.fromCharCode.apply(null, prl as number[])}`}`;
  const hit = c.replies.get(key);
  if (hit) return hit;
  const { set, explicit, policy } = optionsFor(model, site, labels, phone);
  const out = orderOptions(set, explicit, policy, prl);
  if (c.replies.size < REPLY_MEMO_MAX) c.replies.set(key, out);
  return out;
}

/** Codes the engine writes itself; configured values for them are ignored. */
export const PROTOCOL_CODES: ReadonlySet<number> = new Set([
  0, 50, 51, 52, 53, 54, 55, 57, 58, 59, 61, 82, 255,
]);

/**
 * The options of a reply, in order: what the phone asked for (55) in its order, then what it did not ask for
 * but needs: subnet mask, boot server (66, 160), VLAN, and options configured explicitly for its site, class
 * or entry; without a 55 list, everything configured.
 */
export function orderOptions(
  set: ReadonlyMap<number, Uint8Array>,
  explicit: readonly number[],
  policy: SitePolicy,
  prl: readonly number[] | undefined,
): [number, Uint8Array][] {
  const out: [number, Uint8Array][] = [];
  const seen = new Set<number>();
  const add = (code: number, v: Uint8Array | undefined): void => {
    if (v === undefined || seen.has(code) || PROTOCOL_CODES.has(code)) return;
    seen.add(code);
    out.push([code, v]);
  };
  let vlanSent = false;
  for (const code of prl ?? []) {
    if (
      policy.fixedVlan &&
      FIXED_VLAN_OPTIONS.includes(code) &&
      !set.has(code)
    ) {
      add(code, policy.fixedVlan);
      vlanSent = true;
      continue;
    }
    add(code, set.get(code));
  }
  add(1, set.get(1));
  for (const code of policy.forced) add(code, set.get(code));
  if (policy.fixedVlan && !vlanSent)
    add(FIXED_VLAN_OPTIONS[0]!, policy.fixedVlan);
  for (const code of explicit) add(code, set.get(code));
  if (prl === undefined) for (const [code, v] of set) add(code, v);
  return out;
}
