/**
 * Settings a running appliance reads only at start (sockets, certificates, the admin token): a reload that
 * changes them is applied to everything else, and says which of them wait for a restart.
 */
import type { ApplianceModel } from './model.ts';

/** Dotted paths below `appliance`, as appliance.yaml spells them. */
export const RESTART_ONLY = `
  address interface dataDir leaseSource
  services.dhcp.port services.tftp.port services.tftp.enabled
  services.ftp.enabled services.ftp.port services.ftp.pasvMin
  services.ftp.pasvMax services.ftp.cert services.ftp.key
  services.http.enabled services.http.port
  services.https.enabled services.https.port services.https.cert
  services.https.key services.https.clientCa
  services.admin.enabled services.admin.address services.admin.port
  services.admin.token
  services.ntp.enabled services.ntp.port
  services.syslog.enabled services.syslog.port services.syslog.tcp
`
  .trim()
  .split(/\s+/);

const at = (m: ApplianceModel, path: string): unknown =>
  path
    .split('.')
    .reduce<unknown>((v, k) => (v as Record<string, unknown>)?.[k], m);

/** The restart-only settings that differ between two models (dotted appliance.yaml paths). */
export function restartOnlyChanges(
  before: ApplianceModel,
  after: ApplianceModel,
): string[] {
  return RESTART_ONLY.filter(
    (p) => JSON.stringify(at(before, p)) !== JSON.stringify(at(after, p)),
  ).map((p) => `appliance.${p}`);
}
