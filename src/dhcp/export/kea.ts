/**
 * `appliance export kea`: the appliance's DHCP policy as one kea-dhcp4 configuration (Kea 2.2 and later).
 * One subnet per site (inform-only sites without pools: Kea then answers only DHCPINFORM), site options and
 * appliance.yaml classes as client classes the subnet requires, in the engine's precedence (phone entry,
 * then the last matching class, then the site), reservations with the phone's own options, option-defs for
 * 160 and the VLAN options; with --ha the hot-standby hooks (kea-ha.ts).
 */
import { join } from 'node:path';
import type { ApplianceModel } from '../../config/model.ts';
import { formatIpv4 } from '../../shared/ipv4.ts';
import { macColons } from '../../shared/mac.ts';
import { FIXED_VLAN_OPTIONS } from '../../shared/polycom-dhcp.ts';
import { optionName } from '../codec/catalog.ts';
import { string } from '../codec/values.ts';
import { DECLINE_QUARANTINE_MS } from '../engine.ts';
import { classTest, modelClass } from './kea-classes.ts';
import { DEBIAN_HOOKS_DIR, type HaOptions, haConfig } from './kea-ha.ts';
import {
  type ExportOption,
  renderValue,
  type SiteView,
  startExport,
} from './policy-view.ts';
import type { ExportResult } from './report.ts';
import { addressIn, constrainsModel, noteOption60 } from './selectors.ts';

export interface KeaOptions {
  /** Memfile lease file; default <dataDir>/kea-leases4.csv. */
  readonly leaseFile?: string;
  readonly ha?: HaOptions;
  readonly hooksDir?: string;
}

/** Kea's own definitions above 127 (checked against kea-dhcp4 2.2 -t): these codes cannot carry our strings. */
const KEA_STANDARD_HIGH = new Set([136, 137, 138, 141, 146, 159, 212, 213]);
/** Option 157 is Kea's standard data-source (uint8) in later releases, and cannot be redefined there. */
const DATA_SOURCE = 157;
/** Standard options whose Kea definition takes the text, or the addresses, we write (others go as hex). */
const KEA_TEXT = new Set([12, 15, 66, 67]);
const KEA_ADDRESSES = new Set([1, 3, 4, 6, 7, 28, 42]);

/** A required class without a test is never joined in Kea 2.2: this one holds for every packet. */
const ALWAYS = "member('ALL')";
const siteClass = (site: string): string => `site-${site}`;
const className = (name: string): string => `class-${name}`;

export function exportKea(
  model: ApplianceModel,
  opts: KeaOptions = {},
): ExportResult {
  const { view, report, done } = startExport('kea', model);
  const defs = new Map<number, string>([[160, optionName(160)]]);
  const flex: object[] = [];

  const optionData = (list: readonly ExportOption[]): object[] =>
    list.map((o) => {
      const v = renderValue(o);
      // Our option-defs are all strings: anything else for those codes goes as hex.
      const data =
        v.kind === 'text' &&
        (KEA_TEXT.has(o.code) || defs.has(o.code)) &&
        !v.text.includes(',')
          ? { data: v.text }
          : v.kind === 'ips' && KEA_ADDRESSES.has(o.code)
            ? { data: v.list.join(', ') }
            : {
                'csv-format': false,
                data: Buffer.from(o.bytes).toString('hex').toUpperCase(),
              };
      return {
        code: o.code,
        space: 'dhcp4',
        ...data,
        ...(o.always ? { 'always-send': true } : {}),
      };
    });

  /** The site's options, its VLAN string moved where Kea can carry it. */
  const siteOptions = (s: SiteView): ExportOption[] => {
    const where = `sites.${s.site.name}.vlan`;
    const list = s.options.filter((o) => {
      if (s.site.vlan?.option !== o.code) return true;
      if (o.code === DATA_SOURCE) {
        flex.push({
          code: DATA_SOURCE,
          add: `ifelse(member('${siteClass(s.site.name)}'), '${string.decode(o.bytes)}', '')`,
        });
        report.differs(
          'DHCP_EXPORT_KEA_157',
          where,
          'option 157 is a standard Kea option (data-source, in releases after 2.2) and cannot be redefined there: the VLAN string is added by the flex-option hook',
        );
        return false;
      }
      if (KEA_STANDARD_HIGH.has(o.code)) {
        report.lost(
          'DHCP_EXPORT_KEA_STANDARD_OPTION',
          where,
          `option ${o.code} is a standard Kea option of another type; the VLAN string cannot be sent in it`,
        );
        return false;
      }
      defs.set(o.code, `polycom-vlan-${o.code}`);
      return true;
    });
    if (s.fixedVlan) {
      for (const code of FIXED_VLAN_OPTIONS)
        if (code !== DATA_SOURCE) defs.set(code, optionName(code));
      list.push(
        ...FIXED_VLAN_OPTIONS.filter((c) => c !== DATA_SOURCE).map((code) => ({
          code,
          bytes: s.fixedVlan!,
          always: code === FIXED_VLAN_OPTIONS[0],
        })),
      );
      report.differs(
        'DHCP_EXPORT_FIXED_VLAN',
        where,
        `the VLAN string goes in option 128 always and in 144 and 191 when asked for; 157 is not sent (a standard Kea option after 2.2); the appliance sends it once, in the first of 128/144/157/191 the phone asks for`,
      );
    }
    return list;
  };

  const siteOpts = new Map(
    view.sites.map((s) => [s.site.name, siteOptions(s)]),
  );
  const classes: object[] = [];
  const applicable: { name: string; site: string | undefined }[] = [];
  const modelTests = new Map<string, string>();
  for (const { cls, options } of view.classes) {
    const test = classTest(model, cls, report, modelTests);
    if (test === null) continue;
    classes.push({
      name: className(cls.name),
      'only-if-required': true,
      test: test ?? ALWAYS,
      'option-data': optionData(options),
    });
    applicable.push({ name: className(cls.name), site: cls.match.site });
  }
  if (view.classes.some((c) => constrainsModel(c.cls.match)))
    noteOption60(
      report,
      'Kea matches the binary option 60 by its first two sub-options as Polycom sends them (1 "Polycom", 2 "<family>-<model>") and the ASCII form exactly',
    );
  // Model classes are evaluated first (no options of their own); the classes above test member() of them.
  classes.unshift(
    ...[...modelTests].map(([token, test]) => ({
      name: modelClass(token),
      test,
    })),
  );
  for (const s of view.sites)
    classes.push({
      name: siteClass(s.site.name),
      'only-if-required': true,
      test: ALWAYS,
      'option-data': optionData(siteOpts.get(s.site.name)!),
    });

  const subnets = view.sites.map((s, i) => {
    const site = s.site;
    const authoritative = site.mode === 'authoritative';
    const reservations = view.phones.flatMap(({ phone, options }) => {
      const reserve = authoritative && addressIn(site, phone.address);
      if (!reserve && options.length === 0) return [];
      return [
        {
          'hw-address': macColons(phone.mac),
          ...(reserve ? { 'ip-address': phone.address! } : {}),
          ...(options.length ? { 'option-data': optionData(options) } : {}),
        },
      ];
    });
    // Kea takes the first class that defines an option: the last matching class of appliance.yaml first, the site last.
    const required = [...applicable]
      .reverse()
      .filter((c) => c.site === undefined || c.site === site.name)
      .map((c) => c.name);
    return {
      id: i + 1,
      subnet: site.subnet.text,
      pools: authoritative
        ? site.pools.map((p) => ({
            pool: `${formatIpv4(p.first)} - ${formatIpv4(p.last)}`,
          }))
        : [],
      ...(site.relays.length
        ? { relay: { 'ip-addresses': [...site.relays] } }
        : {}),
      'valid-lifetime': site.leaseTime,
      'require-client-classes': [...required, siteClass(site.name)],
      ...(reservations.length ? { reservations } : {}),
    };
  });

  // Dhcpv4Srv::appendBasicOptions: routers, domain-name-servers and domain-name go out whenever configured.
  const basic = view.sites
    .filter((s) => s.options.some((o) => [3, 6, 15].includes(o.code)))
    .map((s) => s.site.name);
  if (view.sites.some((s) => s.options.some((o) => !o.always)))
    report.differs(
      'DHCP_EXPORT_KEA_NO_PRL',
      'sites',
      'a request without option 55 gets every configured option from the appliance, from Kea only the ones sent unasked (phones send option 55)',
    );
  if (basic.length)
    report.differs(
      'DHCP_EXPORT_KEA_BASIC',
      `sites.${basic.join(',')}`,
      'Kea sends routers (3), DNS servers (6) and domain name (15) whenever they are configured, also to a client whose option 55 does not ask for them; the appliance sends them when asked',
    );
  if (model.services.dhcp.port !== 67)
    report.differs(
      'DHCP_EXPORT_PORT',
      'appliance.services.dhcp.port',
      `Kea takes the port on its command line: run kea-dhcp4 -p ${model.services.dhcp.port}`,
    );
  const hooksDir = opts.ha?.hooksDir ?? opts.hooksDir;
  const hooks: object[] = [];
  if (flex.length)
    hooks.push({
      library: `${hooksDir ?? DEBIAN_HOOKS_DIR}/libdhcp_flex_option.so`,
      parameters: { options: flex },
    });
  const ha = opts.ha ? haConfig(opts.ha) : undefined;
  if (ha) hooks.push(...ha.hooks);

  const doc = {
    Dhcp4: {
      'interfaces-config': {
        interfaces: [model.interface],
        'dhcp-socket-type': 'raw',
      },
      'lease-database': {
        type: 'memfile',
        persist: true,
        name: opts.leaseFile ?? join(model.dataDir, 'kea-leases4.csv'),
        'lfc-interval': 3600,
      },
      authoritative: true,
      // The engine's renewal times (reply.ts: T1 = 1/2, T2 = 7/8 of the lease) and DECLINE quarantine.
      'calculate-tee-times': true,
      't1-percent': 0.5,
      't2-percent': 0.875,
      'decline-probation-period': DECLINE_QUARANTINE_MS / 1000,
      'option-def': [...defs]
        .sort(([a], [b]) => a - b)
        .map(([code, name]) => ({ name, code, type: 'string' })),
      'client-classes': classes,
      subnet4: subnets,
      ...(hooks.length ? { 'hooks-libraries': hooks } : {}),
      ...(ha ? { 'multi-threading': ha.multiThreading } : {}),
      loggers: [
        {
          name: 'kea-dhcp4',
          severity: 'INFO',
          output_options: [{ output: 'stdout' }],
        },
      ],
    },
  };
  return done(`${JSON.stringify(doc, null, 2)}\n`);
}
