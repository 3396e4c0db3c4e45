/**
 * appliance.yaml fixtures for DHCP tests and benchmarks, written by labYaml. One lab: the appliance at <net>.1
 * on the directly attached site "lab" (<net>.0/24), a relayed site "remote" (<relayNet>.0/24) and an
 * inform-only site "branch" reached through relay 10.99.0.1. No firmware: DHCP does not read it.
 */
import type { ApplianceModel } from '../../src/config/model.ts';
import { type LabYamlOptions, labYaml, loadLab } from './lab-yaml.ts';

export interface FixtureOptions {
  readonly net?: string;
  readonly relayNet?: string;
  readonly mode?: 'authoritative' | 'inform-only';
  readonly iface?: string;
  readonly dataDir?: string;
  readonly pool?: string;
}

/** labYaml options of the DHCP lab. */
export function dhcpLab(o: FixtureOptions = {}): LabYamlOptions {
  const net = o.net ?? '10.91.2';
  const relayNet = o.relayNet ?? '10.91.4';
  return {
    address: `${net}.1`,
    iface: o.iface ?? 'eth0',
    dataDir: o.dataDir ?? '/tmp/dhcp-fixture-data',
    firmware: '',
    parameters: '',
    sites: {
      lab: {
        mode: o.mode ?? 'authoritative',
        subnet: `${net}.0/24`,
        pool: o.pool ?? `${net}.100-${net}.199`,
        router: `${net}.254`,
        dns: `[${net}.53, ${net}.54]`,
        domain: 'lab.example',
        ntp: `[${net}.1]`,
        timeOffset: '-21600',
        leaseTime: '3600',
        vlan: '{ id: 200 }',
        bootServer:
          '{ protocol: ftp, user: PlcmSpIp, password: PlcmSpIp, path: "" }',
      },
      remote: {
        subnet: `${relayNet}.0/24`,
        pool: `${relayNet}.100-${relayNet}.149`,
        router: `${relayNet}.1`,
        dns: `[${relayNet}.53]`,
        timeOffset: '3600',
        leaseTime: '600',
        bootServer: '{ protocol: http, path: remote }',
      },
      branch: {
        mode: 'inform-only',
        subnet: '10.99.0.0/24',
        relays: '[10.99.0.1]',
        bootServer: '{ protocol: tftp, path: branch }',
      },
    },
    classes: `  - name: conference
    match: { model: SSIP6000 }
    options:
      - { code: 151, type: string, value: conference-room }
  - name: soundpoint
    match: { family: SoundPoint }
    options:
      - { code: 150, type: ips, value: [${net}.1] }
`,
    phones: {
      '00:04:f2:00:00:01': `{ site: lab, model: VVX410, address: ${net}.50, options: [{ code: 152, type: u16, value: 7 }] }`,
    },
  };
}

export function dhcpLabModel(o: FixtureOptions = {}): ApplianceModel {
  return loadLab(labYaml(dhcpLab(o)), '/tmp/dhcp-fixture/appliance.yaml');
}

/**
 * One big flat site for load tests and the benchmark: subnet <a.b>.0.0/16 with ~60,000 pool addresses and
 * the Polycom options of the Kea baseline (66, 160, 42, 2); the appliance at <net>.1. subnet and pool replace
 * the site's (a larger one for high rates).
 */
export function benchYaml(o: {
  net: string;
  dataDir: string;
  iface?: string;
  subnet?: string;
  pool?: string;
}): string {
  const ab = o.net.split('.').slice(0, 2).join('.');
  return labYaml({
    address: `${o.net}.1`,
    iface: o.iface ?? 'eth0',
    dataDir: o.dataDir,
    firmware: '',
    parameters: '',
    sites: {
      bench: {
        subnet: o.subnet ?? `${ab}.0.0/16`,
        pool: o.pool ?? `${ab}.16.0-${ab}.255.254`,
        ntp: `[${o.net}.1]`,
        timeOffset: '-21600',
        leaseTime: '3600',
        bootServer:
          '{ protocol: ftp, user: PlcmSpIp, password: PlcmSpIp, path: "" }',
      },
    },
    classes: `  - name: polycom
    match: { vendorClass: Polycom }
    options:
      - { code: 150, type: ips, value: [${o.net}.1] }
`,
    phones: {},
  });
}
