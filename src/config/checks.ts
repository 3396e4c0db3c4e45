/**
 * Semantic checks on a built model that break a boot without a word from the phone: a VLAN option that
 * takes the place of the boot server or another configured option, a boot server on a disabled service,
 * contact directories a phone refuses (ct missing or repeated, speed dials repeated), a lease source beside
 * the appliance's own DHCP or not on disk yet.
 */
import { existsSync } from 'node:fs';
import { FIXED_VLAN_OPTIONS } from '../shared/polycom-dhcp.ts';
import type { Finding, ModelCheck } from './issues.ts';
import type { ApplianceModel, DirectoryEntry, Site } from './model.ts';

/** Codes the appliance itself sends that a VLAN option must not take: boot server (66, 160), NTP (42). */
const RESERVED = new Map([
  [66, 'the boot server (66)'],
  [160, 'the boot server (160)'],
  [42, 'NTP (42)'],
]);

/** Every option code a phone of this site may receive from appliance.yaml. */
function configuredCodes(
  model: ApplianceModel,
  site: Site,
): Map<number, string> {
  const out = new Map<number, string>();
  for (const o of site.options) out.set(o.code, `option ${o.code} of the site`);
  for (const c of model.classes)
    if (c.match.site === undefined || c.match.site === site.name)
      for (const o of c.options)
        out.set(o.code, `option ${o.code} of class "${c.name}"`);
  for (const p of model.phones.values())
    if (p.site === site.name)
      for (const o of p.options)
        out.set(o.code, `option ${o.code} of phone ${p.key}`);
  return out;
}

function vlanOption(model: ApplianceModel, site: Site): Finding[] {
  const v = site.vlan;
  if (!v) return [];
  const path = ['sites', site.name, 'vlan', 'option'];
  const codes = v.option === 'fixed' ? FIXED_VLAN_OPTIONS : [v.option];
  const taken = configuredCodes(model, site);
  const out: Finding[] = [];
  for (const code of codes) {
    const clash = RESERVED.get(code) ?? taken.get(code);
    if (clash)
      out.push({
        severity: 'error',
        code: 'CFG_VLAN_OPTION',
        path,
        message: `VLAN discovery in option ${code} would replace ${clash}: choose another option (phones read 160 before 66, and one option carries one value)`,
      });
  }
  if (v.option !== 'fixed' && out.length === 0) {
    out.push({
      severity: 'warning',
      code: 'CFG_VLAN_CUSTOM',
      path,
      message: `phones look for VLAN discovery in options ${FIXED_VLAN_OPTIONS.join('/')} (Fixed mode) unless set to Custom with option ${v.option} (device.dhcp.dvdOptVlan) beforehand`,
    });
  }
  return out;
}

function bootServerService(model: ApplianceModel, site: Site): Finding[] {
  const protocol = site.bootServer.protocol;
  if (model.services[protocol].enabled) return [];
  return [
    {
      severity: 'error',
      code: 'CFG_SERVICE_DISABLED',
      path: ['sites', site.name, 'bootServer'],
      message: `the boot server is ${protocol}:// but services.${protocol} is disabled: the phones of site "${site.name}" would find nothing`,
    },
  ];
}

function directory(
  entries: readonly DirectoryEntry[],
  path: (string | number)[],
  others: readonly DirectoryEntry[] = [],
): Finding[] {
  const out: Finding[] = [];
  const contacts = new Set(others.map((e) => e.contact));
  const speedDials = new Set(
    others.flatMap((e) => (e.speedDial === undefined ? [] : [e.speedDial])),
  );
  for (const [i, e] of entries.entries()) {
    if (contacts.has(e.contact))
      out.push({
        severity: 'error',
        code: 'CFG_DIRECTORY',
        path: [...path, i, 'contact'],
        message: `contact "${e.contact}" is listed twice: phones refuse a directory whose ct repeats`,
      });
    contacts.add(e.contact);
    if (e.speedDial !== undefined && speedDials.has(e.speedDial))
      out.push({
        severity: 'error',
        code: 'CFG_DIRECTORY',
        path: [...path, i, 'speedDial'],
        message: `speed dial ${e.speedDial} is used twice`,
      });
    if (e.speedDial !== undefined) speedDials.add(e.speedDial);
  }
  return out;
}

/** A phone's own entries come before its site's in one file: they must not repeat the site's either. */
function directories(model: ApplianceModel): Finding[] {
  const out: Finding[] = [];
  for (const s of model.sites.values())
    out.push(
      ...directory(s.directory.entries, [
        'sites',
        s.name,
        'directory',
        'entries',
      ]),
    );
  for (const p of model.phones.values()) {
    const site = p.site !== undefined ? model.sites.get(p.site) : undefined;
    out.push(
      ...directory(
        p.directory,
        ['phones', p.key, 'directory'],
        site?.directory.entries,
      ),
    );
  }
  return out;
}

/**
 * A lease source beside the appliance's own DHCP is an error: two servers would answer for the same phones and
 * the upload check would trust the file, not the leases handed out. A file not there yet is a warning: it is
 * followed once it appears (a new Kea writes its file with the first lease).
 */
export function leaseSource(
  model: ApplianceModel,
  exists: (path: string) => boolean = existsSync,
): Finding[] {
  const ls = model.leaseSource;
  if (!ls) return [];
  const path = ['appliance', 'leaseSource', ls.kind];
  if (model.services.dhcp.enabled) {
    return [
      {
        severity: 'error',
        code: 'CFG_LEASE_SOURCE_WITH_DHCP',
        path,
        message: `a ${ls.kind} lease file is read only with services.dhcp disabled: the appliance's own DHCP would hand out the addresses while uploads were checked against ${ls.kind}'s leases (set services.dhcp.enabled: false, or remove leaseSource)`,
      },
    ];
  }
  if (!exists(ls.path))
    return [
      {
        severity: 'warning',
        code: 'CFG_LEASE_SOURCE_MISSING',
        path,
        message: `${ls.path} does not exist yet: no phone is known by its address (uploads are refused) until ${ls.kind} writes it; it is followed once it appears`,
      },
    ];
  return [];
}

export const CONFIG_CHECKS: readonly ModelCheck[] = [
  (model) => leaseSource(model),
  (model) =>
    [...model.sites.values()].flatMap((s) => [
      ...vlanOption(model, s),
      ...bootServerService(model, s),
    ]),
  directories,
];
