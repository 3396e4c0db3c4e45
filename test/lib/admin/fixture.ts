/** A small appliance.yaml for the operations tests: two sites, three models, two pinned phones. */
import type { ApplianceModel } from '../../../src/config/model.ts';
import type { ModelRef } from '../../../src/runtime/deps.ts';
import {
  firmwareYaml,
  type LabYamlOptions,
  labYaml,
  loadLab,
} from '../lab-yaml.ts';

export interface OpsLabOptions {
  readonly subnet?: string;
  readonly address?: string;
  readonly dir?: string;
  readonly token?: string;
  readonly adminPort?: number;
  readonly httpPort?: number;
  readonly dhcp?: boolean;
  readonly tftp?: boolean;
  readonly phones?: LabYamlOptions['phones'];
}

/** labYaml options of the operations lab: admin and HTTP on, FTP off, hq on `subnet`, a relayed branch. */
export function opsLab(opts: OpsLabOptions = {}): LabYamlOptions {
  const net = opts.subnet ?? '10.91.10';
  const dir = opts.dir ?? '/tmp/ops-fixture';
  return {
    address: opts.address ?? `${net}.1`,
    tftpboot: `${dir}/tftpboot`,
    dataDir: `${dir}/data`,
    services: {
      admin: `{ enabled: true, port: ${opts.adminPort ?? 8080}, token: "${opts.token ?? 'ops-test-token-0123456789'}" }`,
      http: `{ enabled: true, port: ${opts.httpPort ?? 80} }`,
      ftp: '{ enabled: false }',
      dhcp: `{ enabled: ${opts.dhcp ?? true} }`,
      tftp: `{ enabled: ${opts.tftp ?? true} }`,
    },
    firmware: firmwareYaml(),
    parameters: '',
    sites: {
      hq: {
        subnet: `${net}.0/24`,
        pool: `${net}.100-${net}.199`,
        bootServer: '{ protocol: http, path: "" }',
      },
      branch: {
        subnet: '10.92.10.0/24',
        pool: '10.92.10.50-10.92.10.59',
        relays: '[ 10.92.10.1 ]',
        bootServer: `{ protocol: ${opts.tftp === false ? 'http' : 'tftp'}, path: branch }`,
      },
    },
    phones: opts.phones ?? {
      '0004f2a00001': '{ site: hq, model: VVX410, label: Reception }',
      '0004f2a00002': '{ site: hq, model: SPIP650, label: Lobby }',
    },
  };
}

export function labModel(opts: OpsLabOptions = {}): ApplianceModel {
  return loadLab(labYaml(opsLab(opts)));
}

/** labModel behind a ModelRef that always answers it (a service's `model` dependency, no reloads). */
export function labModelRef(opts: OpsLabOptions = {}): ModelRef {
  const model = labModel(opts);
  return { current: () => model };
}
