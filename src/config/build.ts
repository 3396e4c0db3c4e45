/**
 * Schema-valid YAML → the normalised, cross-checked, frozen ApplianceModel.
 * Every semantic mistake becomes one ConfigIssue at the line and column of the key or value at fault.
 */
import { entryOf, siteDirectoryOf } from './schema-directory.ts';
import { resolve, dirname } from 'node:path';
import type { ApplianceYaml, OptionYaml } from './schema.ts';
import type { ApplianceModel, BootServer, DhcpClass, DhcpPool, FirmwareRelease, ModelInfo, OptionValue, Parameters, Phone, Site } from './model.ts';
import type { ConfigIssue, Locator } from './issues.ts';
import { parseCidr, parseIpv4, inCidr, cidrBroadcast, cidrsOverlap, formatIpv4, type Cidr } from '../shared/ipv4.ts';
import { parseMac, type Mac } from '../shared/mac.ts';
import { catalogModels } from './catalog.ts';

export interface BuildResult { model: ApplianceModel | undefined; issues: ConfigIssue[] }

const paramsOf = (p: Record<string, string | number | boolean>): Parameters =>
  Object.freeze(Object.fromEntries(Object.entries(p).map(([k, v]) => [k, typeof v === 'boolean' ? (v ? '1' : '0') : String(v)])));

const optionsOf = (o: OptionYaml[]): OptionValue[] => o.map((x) => Object.freeze({ code: x.code, type: x.type, value: x.value }));

export function buildModel(y: ApplianceYaml, at: Locator, source: { file: string; sha256: string }): BuildResult {
  const issues: ConfigIssue[] = [];
  const error = (code: string, path: (string | number)[], message: string, which: 'key' | 'value' = 'value'): void => { issues.push(at.issue('error', code, path, message, which)); };
  const warn = (code: string, path: (string | number)[], message: string, which: 'key' | 'value' = 'value'): void => { issues.push(at.issue('warning', code, path, message, which)); };
  const base = dirname(resolve(source.file));

  const addr = parseIpv4(y.appliance.address);
  if (!addr.ok) error('CFG_ADDRESS', ['appliance', 'address'], addr.error);
  const tftpboot = resolve(base, y.appliance.tftpboot);

  // Firmware releases.
  const firmware = new Map<string, FirmwareRelease>();
  for (const [name, f] of Object.entries(y.firmware)) {
    const folder = f.folder.replace(/\\/g, '/').replace(/^\/+|\/+$/g, '');
    if (folder.split('/').some((s) => s === '..' || s === '.' || s === '')) error('CFG_PATH', ['firmware', name, 'folder'], 'must be a folder inside tftpboot/ (no "..")');
    firmware.set(name, Object.freeze({ name, version: f.version, folder, image: f.image, configFiles: Object.freeze([...f.configFiles]), dir: resolve(tftpboot, folder) }));
  }
  const checkRelease = (name: string | undefined, path: (string | number)[]): void => {
    if (name !== undefined && !firmware.has(name)) error('CFG_REFERENCE', path, `no firmware release "${name}" (known: ${[...firmware.keys()].join(', ') || 'none'})`);
  };
  checkRelease(y.defaults.firmware, ['defaults', 'firmware']);

  // Models: the built-in catalog, extended or overridden by the YAML.
  const models = new Map<string, ModelInfo>();
  for (const m of catalogModels()) models.set(m.model, { ...m, firmware: undefined, parameters: Object.freeze({}) });
  for (const [token, m] of Object.entries(y.models)) {
    const known = models.get(token);
    if (!known && (!m.partNumber || !m.family || !m.uaToken)) {
      error('CFG_MODEL', ['models', token], `"${token}" is not in the built-in catalog: a new model needs partNumber, family and uaToken`, 'key');
      continue;
    }
    checkRelease(m.firmware, ['models', token, 'firmware']);
    models.set(token, Object.freeze({
      model: token,
      uaToken: m.uaToken ?? known!.uaToken,
      uaFamily: m.uaFamily ?? known?.uaFamily ?? 'VVX',
      family: m.family ?? known!.family,
      partNumber: m.partNumber ?? known!.partNumber,
      hasBootrom: m.hasBootrom ?? known?.hasBootrom ?? false,
      description: m.description ?? known?.description ?? token,
      firmware: m.firmware,
      parameters: paramsOf(m.parameters),
    }));
  }
  const checkModel = (token: string, path: (string | number)[], which: 'key' | 'value' = 'value'): void => {
    if (!models.has(token)) error('CFG_REFERENCE', path, `unknown phone model "${token}" (catalog tokens look like VVX410, SPIP650, SSIP6000)`, which);
  };

  // Sites.
  const sites = new Map<string, Site>();
  const siteCidrs: { name: string; cidr: Cidr }[] = [];
  const folders = new Map<string, string>();
  const brokenSites = new Set<string>(); // already reported: no second error for references to them
  for (const [name, s] of Object.entries(y.sites)) {
    const p = (...rest: (string | number)[]): (string | number)[] => ['sites', name, ...rest];
    const subnet = parseCidr(s.subnet);
    if (!subnet.ok) { error('CFG_SUBNET', p('subnet'), subnet.error); brokenSites.add(name); continue; }
    for (const other of siteCidrs) {
      if (cidrsOverlap(other.cidr, subnet.value)) error('CFG_OVERLAP', p('subnet'), `${subnet.value.text} overlaps site "${other.name}" (${other.cidr.text})`);
    }
    siteCidrs.push({ name, cidr: subnet.value });
    const pools: DhcpPool[] = [];
    const poolTexts = s.pool === undefined ? [] : Array.isArray(s.pool) ? s.pool : [s.pool];
    poolTexts.forEach((text, i) => {
      const path = Array.isArray(s.pool) ? p('pool', i) : p('pool');
      const m = /^\s*([\d.]+)\s*-\s*([\d.]+)\s*$/.exec(text);
      const a = m ? parseIpv4(m[1]!) : undefined;
      const b = m ? parseIpv4(m[2]!) : undefined;
      if (!a?.ok || !b?.ok) { error('CFG_POOL', path, `"${text}" is not a range (expected e.g. 10.20.0.100-10.20.0.199)`); return; }
      if (a.value > b.value) { error('CFG_POOL', path, `range "${text}" ends before it starts`); return; }
      if (!inCidr(subnet.value, a.value) || !inCidr(subnet.value, b.value)) { error('CFG_POOL', path, `range "${text}" is outside the subnet ${subnet.value.text}`); return; }
      if (a.value === subnet.value.network || b.value === cidrBroadcast(subnet.value)) { error('CFG_POOL', path, `range "${text}" includes the network or broadcast address`); return; }
      if (addr.ok && addr.value >= a.value && addr.value <= b.value) { error('CFG_POOL', path, `range "${text}" includes the appliance's own address ${y.appliance.address}`); return; }
      for (const q of pools) if (a.value <= q.last && b.value >= q.first) error('CFG_POOL', path, `range "${text}" overlaps range "${q.text}"`);
      pools.push(Object.freeze({ first: a.value, last: b.value, text: `${formatIpv4(a.value)}-${formatIpv4(b.value)}` }));
    });
    if (s.mode === 'authoritative' && poolTexts.length === 0) error('CFG_POOL', p(), `site "${name}" is authoritative but has no pool (add pool:, or set mode: inform-only)`, 'key');
    if (s.router) { const r = parseIpv4(s.router); if (r.ok && !inCidr(subnet.value, r.value)) error('CFG_SUBNET', p('router'), `router ${s.router} is outside the subnet ${subnet.value.text}`); }
    for (const [model, rel] of Object.entries(s.firmware)) { checkModel(model, p('firmware', model), 'key'); checkRelease(rel, p('firmware', model)); }
    const bs = bootServerOf(name, s.bootServer, y.appliance.address);
    const clash = folders.get(bs.path);
    if (clash !== undefined) error('CFG_SITE_FOLDER', p('bootServer', 'path'), `folder "${bs.path || '(root)'}" is already the folder of site "${clash}"`);
    for (const [f, other] of folders) {
      if (bs.path !== '' && f !== '' && (bs.path.startsWith(f + '/') || f.startsWith(bs.path + '/'))) error('CFG_SITE_FOLDER', p('bootServer', 'path'), `folder "${bs.path}" nests with site "${other}"'s folder "${f}"`);
    }
    folders.set(bs.path, name);
    if (bs.protocol === 'ftp' && bs.user === 'PlcmSpIp' && bs.password === 'PlcmSpIp') warn('CFG_DEFAULT_PASSWORD', p('bootServer'), 'boot server uses the factory default PlcmSpIp/PlcmSpIp account: fine on an isolated lab VLAN, change it elsewhere', 'key');
    const vlanIds = s.vlan === undefined ? undefined : Array.isArray(s.vlan.id) ? s.vlan.id : [s.vlan.id];
    sites.set(name, Object.freeze({
      name, mode: s.mode, subnet: subnet.value, pools: Object.freeze(pools), router: s.router, dns: Object.freeze([...s.dns]), domain: s.domain,
      ntp: Object.freeze([...s.ntp]), timeOffset: s.timeOffset, leaseTime: s.leaseTime, relays: Object.freeze([...s.relays]),
      vlan: vlanIds && s.vlan ? Object.freeze({ ids: Object.freeze(vlanIds), option: s.vlan.option }) : undefined,
      bootServer: bs, options: Object.freeze(optionsOf(s.options)), parameters: paramsOf(s.parameters),
      firmware: Object.freeze({ ...s.firmware }),
      directory: siteDirectoryOf(s.directory),
      accounts: Object.freeze(s.accounts.map((a) => Object.freeze({ ...a }))),
    }));
  }
  if (addr.ok && sites.size > 0 && ![...sites.values()].some((s) => inCidr(s.subnet, addr.value))) {
    warn('CFG_ADDRESS', ['appliance', 'address'], `${y.appliance.address} is inside no site's subnet: only relayed requests (giaddr) will be answered`);
  }

  // Classes.
  const classes: DhcpClass[] = y.classes.map((c, i) => {
    if (c.match.model) checkModel(c.match.model, ['classes', i, 'match', 'model']);
    if (c.match.site && !sites.has(c.match.site) && !brokenSites.has(c.match.site)) error('CFG_REFERENCE', ['classes', i, 'match', 'site'], `no site "${c.match.site}"`);
    return Object.freeze({ name: c.name, match: Object.freeze({ ...c.match }), options: Object.freeze(optionsOf(c.options)) });
  });

  // Phones.
  const phones = new Map<Mac, Phone>();
  const reserved = new Map<number, string>();
  for (const [key, ph] of Object.entries(y.phones)) {
    const mac = parseMac(key);
    if (!mac.ok) { error('CFG_MAC', ['phones', key], mac.error, 'key'); continue; }
    if (phones.has(mac.value)) { error('CFG_MAC', ['phones', key], `the same phone as another entry (${mac.value})`, 'key'); continue; }
    if (ph.site !== undefined && !sites.has(ph.site) && !brokenSites.has(ph.site)) error('CFG_REFERENCE', ['phones', key, 'site'], `no site "${ph.site}" (known: ${[...sites.keys()].join(', ')})`);
    if (ph.site === undefined) warn('CFG_PHONE_SITE', ['phones', key], 'phone belongs to no site: it gets only the common files at the root', 'key');
    if (ph.model !== undefined) checkModel(ph.model, ['phones', key, 'model']);
    checkRelease(ph.firmware, ['phones', key, 'firmware']);
    if (ph.address !== undefined) {
      const a = parseIpv4(ph.address);
      const st = ph.site ? sites.get(ph.site) : undefined;
      if (a.ok && st && !inCidr(st.subnet, a.value)) error('CFG_SUBNET', ['phones', key, 'address'], `${ph.address} is outside site "${st.name}"'s subnet ${st.subnet.text}`);
      if (a.ok && reserved.has(a.value)) error('CFG_RESERVATION', ['phones', key, 'address'], `${ph.address} is already reserved for ${reserved.get(a.value)}`);
      if (a.ok) reserved.set(a.value, key);
    }
    phones.set(mac.value, Object.freeze({
      mac: mac.value, key, site: ph.site, model: ph.model, label: ph.label, parameters: paramsOf(ph.parameters),
      firmware: ph.firmware, address: ph.address, options: Object.freeze(optionsOf(ph.options)),
      directory: Object.freeze(ph.directory.map(entryOf)),
    }));
  }

  const ls = y.appliance.leaseSource;
  const lsKinds = ls === undefined ? [] : (['kea', 'dnsmasq'] as const).filter((k) => ls[k] !== undefined);
  if (ls !== undefined && lsKinds.length !== 1) error('CFG_LEASE_SOURCE', ['appliance', 'leaseSource'], `name exactly one lease file: { kea: PATH } or { dnsmasq: PATH }${lsKinds.length ? ' (not both)' : ''}`, 'key');
  const leaseSource = ls !== undefined && lsKinds.length === 1 ? Object.freeze({ kind: lsKinds[0]!, path: resolve(base, ls[lsKinds[0]!]!) }) : undefined;

  if (issues.some((i) => i.severity === 'error')) return { model: undefined, issues };
  const sv = y.appliance.services;
  const model: ApplianceModel = Object.freeze({
    address: y.appliance.address,
    interface: y.appliance.interface,
    tftpboot,
    dataDir: resolve(base, y.appliance.dataDir),
    services: Object.freeze({
      dhcp: Object.freeze({ ...sv.dhcp }), tftp: Object.freeze({ ...sv.tftp }), ftp: Object.freeze({ ...sv.ftp, cert: sv.ftp.cert && resolve(base, sv.ftp.cert), key: sv.ftp.key && resolve(base, sv.ftp.key) }),
      http: Object.freeze({ ...sv.http }),
      https: Object.freeze({ ...sv.https, cert: sv.https.cert && resolve(base, sv.https.cert), key: sv.https.key && resolve(base, sv.https.key), clientCa: sv.https.clientCa && resolve(base, sv.https.clientCa) }),
      admin: Object.freeze({ enabled: sv.admin.enabled, port: sv.admin.port, token: sv.admin.token }),
      ntp: Object.freeze({ ...sv.ntp }), syslog: Object.freeze({ ...sv.syslog }),
    }),
    leaseSource,
    uploads: Object.freeze({ ...y.appliance.uploads }),
    defaultFirmware: y.defaults.firmware,
    parameters: paramsOf(y.parameters),
    firmware, models, sites, classes: Object.freeze(classes), phones,
    source: Object.freeze({ file: source.file, sha256: source.sha256, loadedAt: new Date().toISOString() }),
  });
  return { model, issues };
}

function bootServerOf(site: string, b: ApplianceYaml['sites'][string]['bootServer'], address: string): BootServer {
  const host = b.host ?? address;
  const user = b.user ?? (b.protocol === 'ftp' ? 'PlcmSpIp' : undefined);
  const password = b.password ?? (b.protocol === 'ftp' ? 'PlcmSpIp' : undefined);
  const path = b.path ?? site;
  const cred = b.protocol !== 'tftp' && user !== undefined ? `${encodeURIComponent(user)}${password !== undefined ? ':' + encodeURIComponent(password) : ''}@` : '';
  const url = `${b.protocol}://${cred}${host}${b.port ? ':' + b.port : ''}${path ? '/' + path : ''}`;
  return Object.freeze({ protocol: b.protocol, host, port: b.port, user, password, path, url });
}
