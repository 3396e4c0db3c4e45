/**
 * What the appliance derives from settings that are not parameters themselves: the NTP servers a site's phones
 * are told, and the parameters that point phones at the appliance's own time and log services. An explicit
 * parameter of the same name in appliance.yaml wins wherever it is set.
 */
import type { ApplianceModel, Parameters, Site } from '../config/model.ts';

/**
 * DHCP option 42 and tcpIpApp.sntp.address for a site: its own ntp: list, else the appliance while its SNTP
 * service runs (on an isolated VLAN nothing else answers), else none.
 */
export function ntpServersFor(
  model: ApplianceModel,
  site: Site,
): readonly string[] {
  if (site.ntp.length > 0) return site.ntp;
  return model.services.ntp.enabled ? [model.address] : [];
}

/** Every parameter name appliance.yaml sets anywhere (common, site, model, phone), once per model. */
const namesSet = new WeakMap<ApplianceModel, ReadonlySet<string>>();
const setNamesOf = (model: ApplianceModel): ReadonlySet<string> => {
  const scopes = [
    model.parameters,
    ...[...model.sites.values()].map((s) => s.parameters),
    ...[...model.models.values()].map((m) => m.parameters),
    ...[...model.phones.values()].map((p) => p.parameters),
  ];
  const names = new Set(scopes.flatMap((p) => Object.keys(p)));
  namesSet.set(model, names);
  return names;
};

/** Whether a name is set anywhere a phone would read it before (or instead of) a derived value. */
const setAnywhere = (model: ApplianceModel, name: string): boolean =>
  (namesSet.get(model) ?? setNamesOf(model)).has(name);

/** site.cfg: the site's own parameters over what its settings imply. */
export function siteParameters(
  model: ApplianceModel,
  site: Site | undefined,
): Parameters {
  if (!site) return {};
  const derived: Record<string, string> = {};
  if (site.directory.readOnly) derived['dir.local.readonly'] = '1';
  // The appliance as the time server of a site that names none, unless a parameter file says otherwise.
  if (
    site.ntp.length === 0 &&
    model.services.ntp.enabled &&
    !setAnywhere(model, 'tcpIpApp.sntp.address')
  )
    derived['tcpIpApp.sntp.address'] = model.address;
  return { ...derived, ...site.parameters };
}

/**
 * common.cfg: appliance.yaml's common parameters over the syslog settings that send the phones' logs to the
 * appliance (device.syslog.*, each with its .set companion and device.set: facts §2), while that service runs.
 */
export function commonParameters(model: ApplianceModel): Parameters {
  const derived: Record<string, string> = {};
  if (model.services.syslog.enabled) {
    const syslog: Record<string, string> = {
      'device.syslog.serverName': model.address,
      'device.syslog.transport': 'UDP',
      'device.syslog.facility': '16',
      'device.syslog.renderLevel': '1',
      'device.syslog.prependMac': '1',
    };
    for (const [name, value] of Object.entries(syslog)) {
      if (setAnywhere(model, name)) continue;
      derived[name] = value;
      derived[`${name}.set`] = '1';
    }
    if (Object.keys(derived).length > 0) derived['device.set'] = '1';
  }
  return { ...derived, ...model.parameters };
}
