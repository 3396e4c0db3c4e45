/** A small appliance.yaml for the operations tests: two sites, three models, two pinned phones. */
import { loadConfigText } from '../../../src/config/load.ts';
import type { ApplianceModel } from '../../../src/config/model.ts';

/**
 * The firmware section every lab appliance.yaml shares (operations, end-to-end): SIP 4.0.11 for the SoundPoint
 * IP 650 and SoundStation IP 6000, UCS 5.9.7 for every other model. `extra` adds to a model's entry, e.g.
 * { SSIP6000: 'parameters: { … }' }.
 */
export function firmwareYaml(extra: { readonly SPIP650?: string; readonly SSIP6000?: string } = {}): string {
  const pin = (m: 'SPIP650' | 'SSIP6000'): string => `  ${m}: { firmware: sp-4.0.11${extra[m] ? `, ${extra[m]}` : ''} }`;
  return `firmware:
  sp-4.0.11: { version: 4.0.11.0593, folder: sp-4.0.11 }
  ucs-5.9.7: { version: 5.9.7.4477, folder: ucs-5.9.7 }
defaults: { firmware: ucs-5.9.7 }
models:
${pin('SPIP650')}
${pin('SSIP6000')}
`;
}

export function labYaml(opts: { subnet?: string; address?: string; dir?: string; token?: string; adminPort?: number; httpPort?: number; dhcp?: boolean; tftp?: boolean; phones?: string } = {}): string {
  const net = opts.subnet ?? '10.91.10';
  const addr = opts.address ?? `${net}.1`;
  const dir = opts.dir ?? '/tmp/ops-fixture';
  return `appliance:
  address: ${addr}
  interface: eth0
  tftpboot: ${dir}/tftpboot
  dataDir: ${dir}/data
  services:
    admin: { enabled: true, port: ${opts.adminPort ?? 8080}, token: "${opts.token ?? 'ops-test-token-0123456789'}" }
    http: { enabled: true, port: ${opts.httpPort ?? 80} }
    ftp: { enabled: false }
    dhcp: { enabled: ${opts.dhcp ?? true} }
    tftp: { enabled: ${opts.tftp ?? true} }
${firmwareYaml()}sites:
  hq:
    subnet: ${net}.0/24
    pool: ${net}.100-${net}.199
    bootServer: { protocol: http, path: "" }
  branch:
    subnet: 10.92.10.0/24
    pool: 10.92.10.50-10.92.10.59
    relays: [ 10.92.10.1 ]
    bootServer: { protocol: tftp, path: branch }
phones:
${opts.phones ?? `  "0004f2a00001": { site: hq, model: VVX410, label: Reception }
  "0004f2a00002": { site: hq, model: SPIP650, label: Lobby }`}
`;
}

export function labModel(opts: Parameters<typeof labYaml>[0] = {}): ApplianceModel {
  const r = loadConfigText(labYaml(opts), 'appliance.yaml');
  if (!r.ok) throw new Error(r.error.map((i) => `${i.line}:${i.col} ${i.path}: ${i.message}`).join('\n'));
  return r.value.model;
}
