/**
 * `appliance export dnsmasq`: the appliance's DHCP policy as a dnsmasq.conf (dnsmasq 2.80 and later, DHCP
 * only: port=0). One dhcp-range per site (static for inform-only sites), dhcp-host per phone entry, tags for
 * classes (dnsmasq-tags.ts), and every option gated by tags so exactly one value per code applies: the
 * phone's own, else the last matching class, else the site's, as the engine decides.
 */
import { join } from 'node:path';
import type { ApplianceModel, Site } from '../../config/model.ts';
import { cidrBroadcast, formatIpv4 } from '../../shared/ipv4.ts';
import { macColons } from '../../shared/mac.ts';
import { FIXED_VLAN_OPTIONS } from '../../shared/polycom-dhcp.ts';
import { classTag, classTags, phoneTag, siteTag } from './dnsmasq-tags.ts';
import { type ExportOption, renderValue, startExport } from './policy-view.ts';
import type { ExportResult } from './report.ts';
import {
  addressIn,
  constrainsModel,
  noteOption60,
  phonesWithModel,
} from './selectors.ts';

export interface DnsmasqOptions {
  /** Lease file; default <dataDir>/dnsmasq.leases. */
  readonly leaseFile?: string;
}

function value(o: ExportOption): string {
  const v = renderValue(o);
  if (v.kind === 'text' && !/["\\]/.test(v.text)) return `"${v.text}"`;
  if (v.kind === 'ips') return v.list.join(',');
  if (o.bytes.length === 1) return String(o.bytes[0]);
  return [...o.bytes].map((x) => x.toString(16).padStart(2, '0')).join(':');
}

function range(site: Site): string[] {
  const mask = formatIpv4(site.subnet.mask);
  if (site.mode === 'inform-only')
    return [
      `dhcp-range=set:${siteTag(site.name)},${formatIpv4(site.subnet.network)},static,${mask},${site.leaseTime}`,
    ];
  return site.pools.map(
    (p) =>
      `dhcp-range=set:${siteTag(site.name)},${formatIpv4(p.first)},${formatIpv4(p.last)},${mask},${formatIpv4(cidrBroadcast(site.subnet))},${site.leaseTime}`,
  );
}

export function exportDnsmasq(
  model: ApplianceModel,
  opts: DnsmasqOptions = {},
): ExportResult {
  const { view, report, done } = startExport('dnsmasq', model);
  const out: string[] = [
    `# dnsmasq.conf exported by \`appliance export dnsmasq\` from ${model.source.file} (sha256 ${model.source.sha256.slice(0, 12)}).`,
    '# Edit appliance.yaml and export again; see docs/scale-out.md.',
    'port=0',
    `interface=${model.interface}`,
    'bind-interfaces',
    'dhcp-authoritative',
    'no-ping',
    ...(model.services.dhcp.port !== 67
      ? [
          `dhcp-alternate-port=${model.services.dhcp.port},${model.services.dhcp.port + 1}`,
        ]
      : []),
    `dhcp-leasefile=${opts.leaseFile ?? join(model.dataDir, 'dnsmasq.leases')}`,
    '',
    '# sites',
  ];
  for (const s of view.sites) {
    out.push(...range(s.site));
    const outside = s.site.relays.filter((r) => !addressIn(s.site, r));
    if (outside.length)
      report.lost(
        'DHCP_EXPORT_DNSMASQ_RELAY',
        `sites.${s.site.name}.relays`,
        `dnsmasq picks the range by the relay address (giaddr) inside the subnet only: requests relayed from ${outside.join(', ')} get no answer`,
      );
  }

  out.push('', '# phones (appliance.yaml entries)');
  const withModel = new Set(phonesWithModel(model).map((p) => p.mac));
  for (const { phone } of view.phones) {
    const tags = [
      `set:${phoneTag(phone.mac)}`,
      ...(phone.model ? [`set:entry-${phone.model}`] : []),
      ...(withModel.has(phone.mac) ? ['set:entry-model'] : []),
    ];
    const reserve = [...model.sites.values()].some(
      (s) => s.mode === 'authoritative' && addressIn(s, phone.address),
    );
    out.push(
      `dhcp-host=${macColons(phone.mac)},${tags.join(',')}${reserve ? `,${phone.address}` : ''}`,
    );
  }

  out.push('', '# classes: option 60 forms, phone entries and sites as tags');
  const tags = classTags(
    model,
    view.classes.map((c) => c.cls),
    report,
  );
  out.push(...tags.lines);
  if (view.classes.some((c) => constrainsModel(c.cls.match)))
    noteOption60(
      report,
      'dnsmasq matches the binary option 60 by its signature and the model string of sub-option 2 (<family>-<model>) anywhere in it, and the ASCII form by prefix (Polycom-VVX4109, no catalog model, counts as VVX410)',
    );

  const classes = view.classes.filter((c) => tags.tagged.has(c.cls.name));
  const phonesSetting = (code: number): string[] =>
    view.phones
      .filter((p) => p.options.some((o) => o.code === code))
      .map((p) => `tag:!${phoneTag(p.phone.mac)}`);
  const classesSetting = (
    code: number,
    list: typeof classes,
    site?: string,
  ): string[] =>
    list
      .filter(
        (c) =>
          c.options.some((o) => o.code === code) &&
          (site === undefined ||
            c.cls.match.site === undefined ||
            c.cls.match.site === site),
      )
      .map((c) => `tag:!${classTag(c.cls.name)}`);
  const line = (conds: string[], o: ExportOption): string =>
    `dhcp-option${o.always ? '-force' : ''}=${conds.join(',')},${o.code},${value(o)}`;

  out.push(
    '',
    '# options: one value per code, the phone entry first, then the last matching class, then the site',
  );
  for (const s of view.sites) {
    const name = s.site.name;
    const opts = [...s.options];
    if (s.fixedVlan) {
      opts.push(
        ...FIXED_VLAN_OPTIONS.map((code) => ({
          code,
          bytes: s.fixedVlan!,
          always: code === FIXED_VLAN_OPTIONS[0],
        })),
      );
      report.differs(
        'DHCP_EXPORT_FIXED_VLAN',
        `sites.${name}.vlan`,
        'the VLAN string goes in option 128 always and in 144, 157 and 191 when asked for; the appliance sends it once, in the first of them the phone asks for',
      );
    }
    for (const o of opts)
      out.push(
        line(
          [
            `tag:${siteTag(name)}`,
            ...classesSetting(o.code, classes, name),
            ...phonesSetting(o.code),
          ],
          o,
        ),
      );
    // dnsmasq sends itself as router and DNS server unless told otherwise.
    for (const code of [3, 6])
      if (!s.options.some((o) => o.code === code))
        out.push(`dhcp-option=tag:${siteTag(name)},${code}`);
  }
  classes.forEach((c, i) => {
    for (const o of c.options)
      out.push(
        line(
          [
            `tag:${classTag(c.cls.name)}`,
            ...classesSetting(o.code, classes.slice(i + 1)),
            ...phonesSetting(o.code),
          ],
          o,
        ),
      );
  });
  for (const p of view.phones)
    for (const o of p.options)
      out.push(line([`tag:${phoneTag(p.phone.mac)}`], o));
  // rfc2131.c do_options: option 66 (tftp-server-name) and 67 (bootfile-name) always get a NUL appended.
  for (const code of [66, 67]) {
    if (
      [...view.sites, ...view.classes, ...view.phones].some((x) =>
        x.options.some((o) => o.code === code),
      )
    ) {
      report.differs(
        'DHCP_EXPORT_DNSMASQ_NUL',
        `option ${code}`,
        `dnsmasq always ends option ${code} with a NUL byte (one byte longer than the appliance's); phones read the text up to it`,
      );
    }
  }
  return done(`${out.join('\n')}\n`);
}
