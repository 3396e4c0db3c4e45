/**
 * Settings a running appliance reads only at start (sockets, certificates, the admin token): a reload that
 * changes them is applied to everything else, and says which of them wait for a restart.
 */
import type { ApplianceModel } from './model.ts';

const pick = (m: ApplianceModel): Record<string, unknown> => ({
  'appliance.address': m.address,
  'appliance.interface': m.interface,
  'appliance.dataDir': m.dataDir,
  'appliance.leaseSource': m.leaseSource,
  'appliance.services.dhcp.port': m.services.dhcp.port,
  'appliance.services.tftp.port': m.services.tftp.port,
  'appliance.services.tftp.enabled': m.services.tftp.enabled,
  'appliance.services.ftp': [
    m.services.ftp.enabled,
    m.services.ftp.port,
    m.services.ftp.pasvMin,
    m.services.ftp.pasvMax,
    m.services.ftp.cert,
    m.services.ftp.key,
  ],
  'appliance.services.http': [m.services.http.enabled, m.services.http.port],
  'appliance.services.https': [
    m.services.https.enabled,
    m.services.https.port,
    m.services.https.cert,
    m.services.https.key,
    m.services.https.clientCa,
  ],
  'appliance.services.admin': [
    m.services.admin.enabled,
    m.services.admin.address,
    m.services.admin.port,
    m.services.admin.token,
  ],
  'appliance.services.ntp': [m.services.ntp.enabled, m.services.ntp.port],
  'appliance.services.syslog': [
    m.services.syslog.enabled,
    m.services.syslog.port,
    m.services.syslog.tcp,
  ],
});

/** The restart-only settings that differ between two models (dotted appliance.yaml paths). */
export function restartOnlyChanges(
  before: ApplianceModel,
  after: ApplianceModel,
): string[] {
  const a = pick(before);
  const b = pick(after);
  return Object.keys(a).filter(
    (k) => JSON.stringify(a[k]) !== JSON.stringify(b[k]),
  );
}
