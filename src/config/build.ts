/**
 * Schema-valid YAML → the normalised, cross-checked, frozen ApplianceModel.
 * Every semantic mistake becomes one ConfigIssue at the line and column of the key or value at fault.
 * Releases and models here; sites in build-sites.ts; classes and phones in build-phones.ts.
 */
import { dirname, resolve } from 'node:path';
import { parseIpv4 } from '../shared/ipv4.ts';
import { type BuildContext, paramsOf, reporters } from './build-context.ts';
import { buildClassesAndPhones } from './build-phones.ts';
import { buildSites } from './build-sites.ts';
import { catalogModels } from './catalog.ts';
import type { ConfigIssue, Locator } from './issues.ts';
import type { ApplianceModel, FirmwareRelease, ModelInfo } from './model.ts';
import type { ApplianceYaml } from './schema.ts';

export interface BuildResult {
  model: ApplianceModel | undefined;
  issues: ConfigIssue[];
}

export function buildModel(
  y: ApplianceYaml,
  at: Locator,
  source: { file: string; sha256: string },
): BuildResult {
  const issues: ConfigIssue[] = [];
  const { error, warn } = reporters(at, issues);
  const base = dirname(resolve(source.file));

  const addr = parseIpv4(y.appliance.address);
  if (!addr.ok) error('CFG_ADDRESS', ['appliance', 'address'], addr.error);
  const tftpboot = resolve(base, y.appliance.tftpboot);

  // Firmware releases.
  const firmware = new Map<string, FirmwareRelease>();
  for (const [name, f] of Object.entries(y.firmware)) {
    const folder = f.folder.replace(/\\/g, '/').replace(/^\/+|\/+$/g, '');
    if (folder.split('/').some((s) => s === '..' || s === '.' || s === ''))
      error(
        'CFG_PATH',
        ['firmware', name, 'folder'],
        'must be a folder inside tftpboot/ (no "..")',
      );
    firmware.set(
      name,
      Object.freeze({
        name,
        version: f.version,
        folder,
        image: f.image,
        configFiles: Object.freeze([...f.configFiles]),
        dir: resolve(tftpboot, folder),
      }),
    );
  }
  const checkRelease = (
    name: string | undefined,
    path: (string | number)[],
  ): void => {
    if (name !== undefined && !firmware.has(name))
      error(
        'CFG_REFERENCE',
        path,
        `no firmware release "${name}" (known: ${[...firmware.keys()].join(', ') || 'none'})`,
      );
  };
  checkRelease(y.defaults.firmware, ['defaults', 'firmware']);

  // Models: the built-in catalog, extended or overridden by the YAML.
  const models = new Map<string, ModelInfo>();
  for (const m of catalogModels())
    models.set(m.model, {
      ...m,
      firmware: undefined,
      parameters: Object.freeze({}),
    });
  for (const [token, m] of Object.entries(y.models)) {
    const known = models.get(token);
    if (!known && (!m.partNumber || !m.family || !m.uaToken)) {
      error(
        'CFG_MODEL',
        ['models', token],
        `"${token}" is not in the built-in catalog: a new model needs partNumber, family and uaToken`,
        'key',
      );
      continue;
    }
    checkRelease(m.firmware, ['models', token, 'firmware']);
    models.set(
      token,
      Object.freeze({
        model: token,
        uaToken: m.uaToken ?? known!.uaToken,
        uaFamily: m.uaFamily ?? known?.uaFamily ?? 'VVX',
        family: m.family ?? known!.family,
        partNumber: m.partNumber ?? known!.partNumber,
        hasBootrom: m.hasBootrom ?? known?.hasBootrom ?? false,
        description: m.description ?? known?.description ?? token,
        firmware: m.firmware,
        parameters: paramsOf(m.parameters),
      }),
    );
  }
  const checkModel = (
    token: string,
    path: (string | number)[],
    which: 'key' | 'value' = 'value',
  ): void => {
    if (!models.has(token))
      error(
        'CFG_REFERENCE',
        path,
        `unknown phone model "${token}" (catalog tokens look like VVX410, SPIP650, SSIP6000)`,
        which,
      );
  };
  const ctx: BuildContext = {
    y,
    issues,
    error,
    warn,
    firmware,
    models,
    checkRelease,
    checkModel,
  };

  const built = buildSites(ctx, addr);
  const { sites } = built;
  const { classes, phones } = buildClassesAndPhones(ctx, built);

  const ls = y.appliance.leaseSource;
  const lsKinds =
    ls === undefined
      ? []
      : (['kea', 'dnsmasq'] as const).filter((k) => ls[k] !== undefined);
  if (ls !== undefined && lsKinds.length !== 1)
    error(
      'CFG_LEASE_SOURCE',
      ['appliance', 'leaseSource'],
      `name exactly one lease file: { kea: PATH } or { dnsmasq: PATH }${lsKinds.length ? ' (not both)' : ''}`,
      'key',
    );
  const leaseSource =
    ls !== undefined && lsKinds.length === 1
      ? Object.freeze({
          kind: lsKinds[0]!,
          path: resolve(base, ls[lsKinds[0]!]!),
        })
      : undefined;

  if (issues.some((i) => i.severity === 'error'))
    return { model: undefined, issues };
  const sv = y.appliance.services;
  const model: ApplianceModel = Object.freeze({
    address: y.appliance.address,
    interface: y.appliance.interface,
    tftpboot,
    dataDir: resolve(base, y.appliance.dataDir),
    services: Object.freeze({
      dhcp: Object.freeze({ ...sv.dhcp }),
      tftp: Object.freeze({ ...sv.tftp }),
      ftp: Object.freeze({
        ...sv.ftp,
        cert: sv.ftp.cert && resolve(base, sv.ftp.cert),
        key: sv.ftp.key && resolve(base, sv.ftp.key),
      }),
      http: Object.freeze({ ...sv.http }),
      https: Object.freeze({
        ...sv.https,
        cert: sv.https.cert && resolve(base, sv.https.cert),
        key: sv.https.key && resolve(base, sv.https.key),
        clientCa: sv.https.clientCa && resolve(base, sv.https.clientCa),
      }),
      admin: Object.freeze({
        enabled: sv.admin.enabled,
        address: sv.admin.address,
        port: sv.admin.port,
        token: sv.admin.token,
      }),
      ntp: Object.freeze({ ...sv.ntp }),
      syslog: Object.freeze({ ...sv.syslog }),
    }),
    leaseSource,
    uploads: Object.freeze({ ...y.appliance.uploads }),
    defaultFirmware: y.defaults.firmware,
    parameters: paramsOf(y.parameters),
    firmware,
    models,
    sites,
    classes: Object.freeze(classes),
    phones,
    source: Object.freeze({
      file: source.file,
      sha256: source.sha256,
      loadedAt: new Date().toISOString(),
    }),
  });
  return { model, issues };
}
