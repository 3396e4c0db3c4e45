/**
 * DHCP classes and phones of appliance.yaml: references to sites, models and releases, MACs in any spelling,
 * reservations inside their site's subnet and never twice.
 */

import { inCidr, parseIpv4 } from '../shared/ipv4.ts';
import { type Mac, parseMac } from '../shared/mac.ts';
import { type BuildContext, optionsOf, paramsOf } from './build-context.ts';
import type { BuiltSites } from './build-sites.ts';
import type { DhcpClass, Phone, Site } from './model.ts';
import { entryOf } from './schema-directory.ts';

export function buildClassesAndPhones(
  ctx: BuildContext,
  {
    sites,
    broken: brokenSites,
  }: {
    readonly sites: ReadonlyMap<string, Site>;
    readonly broken: BuiltSites['broken'];
  },
): { classes: DhcpClass[]; phones: Map<Mac, Phone> } {
  const { y, error, warn, checkModel, checkRelease } = ctx;
  // Classes.
  const classes: DhcpClass[] = y.classes.map((c, i) => {
    if (c.match.model)
      checkModel(c.match.model, ['classes', i, 'match', 'model']);
    if (
      c.match.site &&
      !sites.has(c.match.site) &&
      !brokenSites.has(c.match.site)
    )
      error(
        'CFG_REFERENCE',
        ['classes', i, 'match', 'site'],
        `no site "${c.match.site}"`,
      );
    return Object.freeze({
      name: c.name,
      match: Object.freeze({ ...c.match }),
      options: Object.freeze(optionsOf(c.options)),
    });
  });

  // Phones.
  const phones = new Map<Mac, Phone>();
  const reserved = new Map<number, string>();
  for (const [key, ph] of Object.entries(y.phones)) {
    const mac = parseMac(key);
    if (!mac.ok) {
      error('CFG_MAC', ['phones', key], mac.error, 'key');
      continue;
    }
    if (phones.has(mac.value)) {
      error(
        'CFG_MAC',
        ['phones', key],
        `the same phone as another entry (${mac.value})`,
        'key',
      );
      continue;
    }
    if (
      ph.site !== undefined &&
      !sites.has(ph.site) &&
      !brokenSites.has(ph.site)
    )
      error(
        'CFG_REFERENCE',
        ['phones', key, 'site'],
        `no site "${ph.site}" (known: ${[...sites.keys()].join(', ')})`,
      );
    if (ph.site === undefined)
      warn(
        'CFG_PHONE_SITE',
        ['phones', key],
        'phone belongs to no site: it gets only the common files at the root',
        'key',
      );
    if (ph.model !== undefined) checkModel(ph.model, ['phones', key, 'model']);
    checkRelease(ph.firmware, ['phones', key, 'firmware']);
    if (ph.address !== undefined) {
      const a = parseIpv4(ph.address);
      const st = ph.site ? sites.get(ph.site) : undefined;
      if (a.ok && st && !inCidr(st.subnet, a.value))
        error(
          'CFG_SUBNET',
          ['phones', key, 'address'],
          `${ph.address} is outside site "${st.name}"'s subnet ${st.subnet.text}`,
        );
      if (a.ok && reserved.has(a.value))
        error(
          'CFG_RESERVATION',
          ['phones', key, 'address'],
          `${ph.address} is already reserved for ${reserved.get(a.value)}`,
        );
      if (a.ok) reserved.set(a.value, key);
    }
    phones.set(
      mac.value,
      Object.freeze({
        mac: mac.value,
        key,
        site: ph.site,
        model: ph.model,
        label: ph.label,
        parameters: paramsOf(ph.parameters),
        firmware: ph.firmware,
        address: ph.address,
        options: Object.freeze(optionsOf(ph.options)),
        directory: Object.freeze(ph.directory.map(entryOf)),
      }),
    );
  }

  return { classes, phones };
}
