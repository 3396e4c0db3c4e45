/**
 * The one appliance.yaml builder for tests and benchmarks, and its loader. With no options it writes the small
 * one-site lab of the tree and protocol tests: appliance 10.90.0.1, site "hq" served at hq/, firmware "ucs",
 * one phone. Each section can be replaced; '' leaves a section out. Values are YAML text, written as given.
 * The layout is fixed (appliance on line 1, sites after firmware and parameters) because tests assert
 * file:line:col of what they break.
 */
import { loadConfigText } from '../../src/config/load.ts';
import type { ApplianceModel } from '../../src/config/model.ts';

/** One site: key → YAML value text, written in this order. */
export type SiteYaml = Readonly<Record<string, string>>;

export interface LabYamlOptions {
  readonly address?: string;
  readonly iface?: string;
  readonly tftpboot?: string;
  readonly dataDir?: string;
  /** service name → its settings as a YAML flow mapping */
  readonly services?: Readonly<Record<string, string>>;
  /** the firmware:, defaults: and models: sections */
  readonly firmware?: string;
  /** appliance-wide Polycom parameters, a YAML flow mapping */
  readonly parameters?: string;
  readonly sites?: Readonly<Record<string, SiteYaml>>;
  /** the items of classes:, as YAML list text */
  readonly classes?: string;
  /** MAC → the phone as a YAML flow mapping */
  readonly phones?: Readonly<Record<string, string>>;
  /** appended as is */
  readonly extra?: string;
}

/** The default lab's site: <net>.0/24 served at hq/, with its own FTP account and a site parameter. */
const hqSite = (net: string): SiteYaml => ({
  subnet: `${net}.0/24`,
  pool: `${net}.100-${net}.199`,
  bootServer: '{ protocol: ftp, path: "hq" }',
  accounts: '[{ user: hqadmin, password: hq-secret-1 }]',
  parameters: '{ reg.1.server.1.address: pbx.lab }',
});

const UCS_FIRMWARE =
  'firmware:\n  ucs: { version: 5.9.7.4477, folder: ucs }\ndefaults: { firmware: ucs }\n';

/**
 * The firmware sections the operations and end-to-end labs share: SIP 4.0.11 for the SoundPoint IP 650 and
 * SoundStation IP 6000, UCS 5.9.7 for every other model. `extra` adds to a model's entry, e.g.
 * { SSIP6000: 'parameters: { … }' }.
 */
export function firmwareYaml(
  extra: { readonly SPIP650?: string; readonly SSIP6000?: string } = {},
): string {
  const pin = (m: 'SPIP650' | 'SSIP6000'): string =>
    `  ${m}: { firmware: sp-4.0.11${extra[m] ? `, ${extra[m]}` : ''} }`;
  return `firmware:
  sp-4.0.11: { version: 4.0.11.0593, folder: sp-4.0.11 }
  ucs-5.9.7: { version: 5.9.7.4477, folder: ucs-5.9.7 }
defaults: { firmware: ucs-5.9.7 }
models:
${pin('SPIP650')}
${pin('SSIP6000')}
`;
}

const section = (name: string, body: string): string =>
  body === '' ? '' : `${name}:\n${body}`;
const entries = (
  m: Readonly<Record<string, string>>,
  indent: string,
  quote: boolean,
): string =>
  Object.entries(m)
    .map(([k, v]) => `${indent}${quote ? JSON.stringify(k) : k}: ${v}\n`)
    .join('');

export function labYaml(o: LabYamlOptions = {}): string {
  const address = o.address ?? '10.90.0.1';
  const net = address.split('.').slice(0, 3).join('.');
  const services =
    o.services === undefined
      ? ''
      : `, services: { ${Object.entries(o.services)
          .map(([k, v]) => `${k}: ${v}`)
          .join(', ')} }`;
  const sites = Object.entries(o.sites ?? { hq: hqSite(net) }).map(
    ([name, s]) => `  ${name}:\n${entries(s, '    ', false)}`,
  );
  const phones = o.phones ?? {
    '00:04:f2:80:62:d6':
      '{ site: hq, model: VVX410, parameters: { reg.1.address: "1000" } }',
  };
  const parameters = o.parameters ?? '{ device.set: 1 }';
  return [
    `appliance: { address: ${address}, interface: ${o.iface ?? 'eth0'}, tftpboot: ${o.tftpboot ?? './tftpboot'}, dataDir: ${o.dataDir ?? './data'}${services} }\n`,
    o.firmware ?? UCS_FIRMWARE,
    parameters === '' ? '' : `parameters: ${parameters}\n`,
    section('sites', sites.join('')),
    section('classes', o.classes ?? ''),
    Object.keys(phones).length === 0
      ? 'phones: {}\n'
      : section('phones', entries(phones, '  ', true)),
    o.extra ?? '',
  ].join('');
}

/** Loads lab YAML through the real loader; a fixture that does not load is a broken test, so it throws. */
export function loadLab(yaml: string, path = 'appliance.yaml'): ApplianceModel {
  const r = loadConfigText(yaml, path);
  if (!r.ok)
    throw new Error(
      r.error
        .map((i) => `${i.line}:${i.col} ${i.path}: ${i.message}`)
        .join('\n'),
    );
  return r.value.model;
}
