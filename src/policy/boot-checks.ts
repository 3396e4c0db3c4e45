/**
 * Domain checks of what a phone needs to boot from a site: SoundPoint/SoundStation bootROMs fetch over plain
 * HTTP when the application uses HTTPS (seed 003), a release before SIP 3.3 needs its own sip.cfg with ours, and
 * phones need a time server that answers.
 */

import type { Finding } from '../config/issues.ts';
import type { ApplianceModel, FirmwareRelease, Site } from '../config/model.ts';
import { ntpServersFor } from './derived-params.ts';

/** Models a site's phones run: its listed phones' and the ones it picks firmware for. */
function modelsAt(model: ApplianceModel, site: Site): Set<string> {
  const out = new Set(Object.keys(site.firmware));
  for (const p of model.phones.values())
    if (p.site === site.name && p.model) out.add(p.model);
  return out;
}

export function bootromOverHttp(model: ApplianceModel): Finding[] {
  if (model.services.http.enabled) return [];
  const out: Finding[] = [];
  for (const site of model.sites.values()) {
    if (site.bootServer.protocol !== 'https') continue;
    const legacy = [...modelsAt(model, site)].filter(
      (m) => model.models.get(m)?.hasBootrom,
    );
    if (legacy.length === 0) continue;
    out.push({
      severity: 'error',
      code: 'CFG_BOOTROM_NEEDS_HTTP',
      path: ['sites', site.name, 'bootServer'],
      message: `${legacy.join(', ')} fetch their bootROM over plain HTTP when the boot server is https://: enable services.http`,
    });
  }
  return out;
}

/** SIP 3.2 and earlier: the release's sip.cfg (and phone1.cfg) must be read together with the appliance's files. */
const isLegacy = (r: FirmwareRelease): boolean => {
  const [major = 0, minor = 0] = r.version.split('.').map(Number);
  return major < 3 || (major === 3 && minor < 3);
};

export function legacyConfigFiles(model: ApplianceModel): Finding[] {
  return [...model.firmware.values()]
    .filter((r) => isLegacy(r) && r.configFiles.length === 0)
    .map((r) => ({
      severity: 'warning' as const,
      code: 'CFG_LEGACY_CONFIG_FILES',
      path: ['firmware', r.name],
      message: `SIP ${r.version} is older than 3.3: list the release's own sip.cfg (and phone1.cfg) in configFiles, phones of this release need them with the appliance's files`,
    }));
}

/** Phones without time flash their clock and cannot check certificates: say when a site's option 42 leads nowhere. */
export function timeServer(model: ApplianceModel): Finding[] {
  const out: Finding[] = [];
  for (const site of model.sites.values()) {
    const path = ['sites', site.name, 'ntp'];
    if (site.ntp.includes(model.address) && !model.services.ntp.enabled) {
      out.push({
        severity: 'warning',
        code: 'CFG_NTP_DISABLED',
        path,
        message: `option 42 names the appliance (${model.address}) but services.ntp is disabled: nothing answers the phones' SNTP requests`,
      });
    } else if (
      ntpServersFor(model, site).length === 0 &&
      site.mode === 'authoritative'
    ) {
      out.push({
        severity: 'warning',
        code: 'CFG_NO_NTP',
        path: ['sites', site.name],
        message:
          'no time server for the phones (no ntp: and services.ntp is disabled): clocks flash and TLS cannot check certificate dates',
      });
    }
  }
  return out;
}
