/**
 * The sites of appliance.yaml: subnet, pools, router, per-model firmware, boot-server URL and folder, VLAN
 * discovery, directory; overlapping subnets, clashing folders and pools that break DHCP are errors.
 */

import {
  type Cidr,
  cidrBroadcast,
  cidrsOverlap,
  formatIpv4,
  inCidr,
  parseCidr,
  parseIpv4,
} from '../shared/ipv4.ts';
import type { Result } from '../shared/result.ts';
import { type BuildContext, optionsOf, paramsOf } from './build-context.ts';
import type { BootServer, DhcpPool, Site } from './model.ts';
import type { ApplianceYaml } from './schema.ts';
import { siteDirectoryOf } from './schema-directory.ts';

export interface BuiltSites {
  readonly sites: Map<string, Site>;
  /** Sites already reported broken: references to them get no second error. */
  readonly broken: Set<string>;
}

export function buildSites(
  ctx: BuildContext,
  addr: Result<number, string>,
): BuiltSites {
  const { y, error, warn, checkModel, checkRelease } = ctx;
  const sites = new Map<string, Site>();
  const siteCidrs: { name: string; cidr: Cidr }[] = [];
  const folders = new Map<string, string>();
  const brokenSites = new Set<string>();
  for (const [name, s] of Object.entries(y.sites)) {
    const p = (...rest: (string | number)[]): (string | number)[] => [
      'sites',
      name,
      ...rest,
    ];
    const subnet = parseCidr(s.subnet);
    if (!subnet.ok) {
      error('CFG_SUBNET', p('subnet'), subnet.error);
      brokenSites.add(name);
      continue;
    }
    for (const other of siteCidrs) {
      if (cidrsOverlap(other.cidr, subnet.value))
        error(
          'CFG_OVERLAP',
          p('subnet'),
          `${subnet.value.text} overlaps site "${other.name}" (${other.cidr.text})`,
        );
    }
    siteCidrs.push({ name, cidr: subnet.value });
    const pools: DhcpPool[] = [];
    const poolTexts =
      s.pool === undefined ? [] : Array.isArray(s.pool) ? s.pool : [s.pool];
    poolTexts.forEach((text, i) => {
      const path = Array.isArray(s.pool) ? p('pool', i) : p('pool');
      const m = /^\s*([\d.]+)\s*-\s*([\d.]+)\s*$/.exec(text);
      const a = m ? parseIpv4(m[1]!) : undefined;
      const b = m ? parseIpv4(m[2]!) : undefined;
      if (!a?.ok || !b?.ok) {
        error(
          'CFG_POOL',
          path,
          `"${text}" is not a range (expected e.g. 10.20.0.100-10.20.0.199)`,
        );
        return;
      }
      if (a.value > b.value) {
        error('CFG_POOL', path, `range "${text}" ends before it starts`);
        return;
      }
      if (!inCidr(subnet.value, a.value) || !inCidr(subnet.value, b.value)) {
        error(
          'CFG_POOL',
          path,
          `range "${text}" is outside the subnet ${subnet.value.text}`,
        );
        return;
      }
      if (
        a.value === subnet.value.network ||
        b.value === cidrBroadcast(subnet.value)
      ) {
        error(
          'CFG_POOL',
          path,
          `range "${text}" includes the network or broadcast address`,
        );
        return;
      }
      if (addr.ok && addr.value >= a.value && addr.value <= b.value) {
        error(
          'CFG_POOL',
          path,
          `range "${text}" includes the appliance's own address ${y.appliance.address}`,
        );
        return;
      }
      for (const q of pools)
        if (a.value <= q.last && b.value >= q.first)
          error('CFG_POOL', path, `range "${text}" overlaps range "${q.text}"`);
      pools.push(
        Object.freeze({
          first: a.value,
          last: b.value,
          text: `${formatIpv4(a.value)}-${formatIpv4(b.value)}`,
        }),
      );
    });
    if (s.mode === 'authoritative' && poolTexts.length === 0)
      error(
        'CFG_POOL',
        p(),
        `site "${name}" is authoritative but has no pool (add pool:, or set mode: inform-only)`,
        'key',
      );
    if (s.router) {
      const r = parseIpv4(s.router);
      if (r.ok && !inCidr(subnet.value, r.value))
        error(
          'CFG_SUBNET',
          p('router'),
          `router ${s.router} is outside the subnet ${subnet.value.text}`,
        );
    }
    for (const [model, rel] of Object.entries(s.firmware)) {
      checkModel(model, p('firmware', model), 'key');
      checkRelease(rel, p('firmware', model));
    }
    const bs = bootServerOf(name, s.bootServer, y.appliance.address);
    const clash = folders.get(bs.path);
    if (clash !== undefined)
      error(
        'CFG_SITE_FOLDER',
        p('bootServer', 'path'),
        `folder "${bs.path || '(root)'}" is already the folder of site "${clash}"`,
      );
    for (const [f, other] of folders) {
      if (
        bs.path !== '' &&
        f !== '' &&
        (bs.path.startsWith(`${f}/`) || f.startsWith(`${bs.path}/`))
      )
        error(
          'CFG_SITE_FOLDER',
          p('bootServer', 'path'),
          `folder "${bs.path}" nests with site "${other}"'s folder "${f}"`,
        );
    }
    folders.set(bs.path, name);
    if (
      bs.protocol === 'ftp' &&
      bs.user === 'PlcmSpIp' &&
      bs.password === 'PlcmSpIp'
    )
      warn(
        'CFG_DEFAULT_PASSWORD',
        p('bootServer'),
        'boot server uses the factory default PlcmSpIp/PlcmSpIp account: fine on an isolated lab VLAN, change it elsewhere',
        'key',
      );
    const vlanIds =
      s.vlan === undefined
        ? undefined
        : Array.isArray(s.vlan.id)
          ? s.vlan.id
          : [s.vlan.id];
    sites.set(
      name,
      Object.freeze({
        name,
        mode: s.mode,
        subnet: subnet.value,
        pools: Object.freeze(pools),
        router: s.router,
        dns: Object.freeze([...s.dns]),
        domain: s.domain,
        ntp: Object.freeze([...s.ntp]),
        timeOffset: s.timeOffset,
        leaseTime: s.leaseTime,
        relays: Object.freeze([...s.relays]),
        vlan:
          vlanIds && s.vlan
            ? Object.freeze({
                ids: Object.freeze(vlanIds),
                option: s.vlan.option,
              })
            : undefined,
        bootServer: bs,
        options: Object.freeze(optionsOf(s.options)),
        parameters: paramsOf(s.parameters),
        firmware: Object.freeze({ ...s.firmware }),
        directory: siteDirectoryOf(s.directory),
        accounts: Object.freeze(s.accounts.map((a) => Object.freeze({ ...a }))),
        uploads: Object.freeze({
          allowUnknownHosts: s.uploads.allowUnknownHosts,
        }),
      }),
    );
  }
  if (
    addr.ok &&
    sites.size > 0 &&
    ![...sites.values()].some((s) => inCidr(s.subnet, addr.value))
  ) {
    warn(
      'CFG_ADDRESS',
      ['appliance', 'address'],
      `${y.appliance.address} is inside no site's subnet: only relayed requests (giaddr) will be answered`,
    );
  }

  return { sites, broken: brokenSites };
}

function bootServerOf(
  site: string,
  b: ApplianceYaml['sites'][string]['bootServer'],
  address: string,
): BootServer {
  const host = b.host ?? address;
  const user = b.user ?? (b.protocol === 'ftp' ? 'PlcmSpIp' : undefined);
  const password =
    b.password ?? (b.protocol === 'ftp' ? 'PlcmSpIp' : undefined);
  const path = b.path ?? site;
  const cred =
    b.protocol !== 'tftp' && user !== undefined
      ? `${encodeURIComponent(user)}${password !== undefined ? `:${encodeURIComponent(password)}` : ''}@`
      : '';
  const url = `${b.protocol}://${cred}${host}${b.port ? `:${b.port}` : ''}${path ? `/${path}` : ''}`;
  return Object.freeze({
    protocol: b.protocol,
    host,
    port: b.port,
    user,
    password,
    path,
    url,
  });
}
