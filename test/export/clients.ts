/**
 * The real clients of the differential test and what each one saw, reduced to the policy: the pool its
 * address came from (or the address, for a reservation) and the values of the options the policy decides.
 *   hq-ascii      udhcpc -V Polycom-VVX410 (class vvx), direct on hq
 *   hq-binary     dhclient with Polycom's binary option 60 (SoundPoint IP 601: class soundpoint), direct on hq
 *   hq-reserved   udhcpc as the phone entry 00:04:f2:00:00:50 (reservation; its entry's model SSIP6000 wins
 *                 over the VVX410 it sends: class conference; its own option 152)
 *   remote-relay  udhcpc -V Poly-VVX-250 behind dhcrelay (site remote: option 157 VLAN, classes vvx and remote-vvx250)
 *   hq-inform     dhcping DHCPINFORM: the configuration options of the ACK, no address, no lease time
 */

import type { ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodePacket } from '../../src/dhcp/codec/packet-decode.ts';
import { encodePolycomVendorClass } from '../../src/policy/vendor-class.ts';
import { formatIpv4, parseIpv4 } from '../../src/shared/ipv4.ts';
import { envScript, readEnv, udhcpc as udhcpcArgs } from '../lib/dhcp-lab.ts';
import { type Lab, waitFor } from '../lib/netns.ts';

export type Seen = Record<string, string | undefined>;

/** The binary option 60 of a SoundPoint IP 601 (the bytes such a phone sends). */
export const SPIP601_OPTION60 = encodePolycomVendorClass({
  model: 'SoundPointIP-SPIP_601',
  partNumber: '2345-11605-001,2',
  appVersion: 'SIP/3.1.8.0070',
  bootVersion: 'BR/3.1.0.0000',
});

const POOLS: readonly [string, string, string][] = [
  ['hq', '10.93.1.100', '10.93.1.149'],
  ['remote', '10.93.2.100', '10.93.2.119'],
  ['remote', '10.93.2.130', '10.93.2.139'],
];
const num = (s: string): number => {
  const r = parseIpv4(s);
  return r.ok ? r.value : -1;
};
/** "pool hq" for an address in a pool, else the address itself (reservations, or something wrong). */
export function poolOf(ip: string | undefined): string | undefined {
  if (ip === undefined) return undefined;
  const p = POOLS.find(([, a, b]) => num(ip) >= num(a) && num(ip) <= num(b));
  return p ? `pool ${p[0]}` : ip;
}

const UDHCPC_KEYS = [
  'subnet',
  'router',
  'dns',
  'domain',
  'ntpsrv',
  'timezone',
  'lease',
  'serverid',
  'opt128',
  'opt144',
  'opt157',
  'opt191',
  'opt160',
  'opt150',
  'opt151',
  'opt152',
];
const pick = (env: Record<string, string>, keys: readonly string[]): Seen =>
  Object.fromEntries(keys.map((k) => [k, env[k]?.trim()]));

async function udhcpc(
  lab: Lab,
  host: string,
  iface: string,
  dir: string,
  name: string,
  vendorClass: string,
  ask: number[],
): Promise<Seen> {
  const { script, out } = envScript(dir, name, ['bound']);
  await lab.exec(host, udhcpcArgs({ script, iface, vendorClass, ask }), {
    timeoutMs: 20_000,
  });
  const env = readEnv(out);
  if (!env) throw new Error(`${name}: udhcpc did not bind`);
  return { address: poolOf(env.ip), ...pick(env, UDHCPC_KEYS) };
}

const DHCLIENT_KEYS = [
  'new_subnet_mask',
  'new_routers',
  'new_domain_name_servers',
  'new_domain_name',
  'new_ntp_servers',
  'new_time_offset',
  'new_tftp_server_name',
  'new_polycom_boot',
  'new_polycom_vlan',
  'new_tftp_list',
  'new_o151',
  'new_o152',
  'new_dhcp_lease_time',
  'new_dhcp_server_identifier',
];

async function dhclient(
  lab: Lab,
  host: string,
  dir: string,
  name: string,
): Promise<Seen> {
  const { script, out } = envScript(dir, name, ['BOUND']);
  const conf = join(dir, `${name}.conf`);
  writeFileSync(
    conf,
    [
      'option polycom-boot code 160 = text;',
      'option polycom-vlan code 128 = text;',
      'option tftp-list code 150 = array of ip-address;',
      'option o151 code 151 = text;',
      'option o152 code 152 = unsigned integer 16;',
      `send vendor-class-identifier ${Buffer.from(SPIP601_OPTION60)
        .toString('hex')
        .replace(/(..)(?!$)/g, '$1:')};`,
      'request subnet-mask, routers, domain-name-servers, domain-name, ntp-servers, time-offset, tftp-server-name, polycom-boot, polycom-vlan, tftp-list, o151, o152;',
      '',
    ].join('\n'),
  );
  const child: ChildProcess = lab.spawn(
    host,
    [
      'dhclient',
      '-d',
      '-1',
      '-4',
      '-cf',
      conf,
      '-lf',
      join(dir, `${name}.leases`),
      '-pf',
      join(dir, `${name}.pid`),
      '-sf',
      script,
      'eth0',
    ],
    { stdio: 'ignore' },
  );
  try {
    const env = await waitFor(
      () => readEnv(out),
      20_000,
      `${name}: dhclient BOUND`,
    );
    return { address: poolOf(env.new_ip_address), ...pick(env, DHCLIENT_KEYS) };
  } finally {
    if (child.pid && child.exitCode === null) {
      try {
        process.kill(child.pid, 'SIGKILL');
      } catch {
        /* gone */
      }
    }
  }
}

/** The options of the ACK dhcping -V dumps (hex lines after "Got answer from"), code → hex; yiaddr; 51 absent. */
async function inform(
  lab: Lab,
  host: string,
  ciaddr: string,
  server: string,
): Promise<Seen> {
  const r = await lab.exec(
    host,
    [
      'dhcping',
      '-i',
      '-c',
      ciaddr,
      '-s',
      server,
      '-h',
      '00:04:f2:11:22:33',
      '-V',
      '-t',
      '3',
    ],
    { timeoutMs: 10_000, allowFail: true },
  );
  const answer = r.stdout.slice(Math.max(0, r.stdout.indexOf('Got answer')));
  const bytes = Buffer.from(
    answer
      .split('\n')
      .filter((l) => /^([0-9a-f]{2} )+$/.test(l))
      .join('')
      .replace(/ /g, ''),
    'hex',
  );
  const d = decodePacket(bytes);
  if (r.code !== 0 || !d.ok)
    throw new Error(`dhcping INFORM got no answer: ${r.stdout}${r.stderr}`);
  const seen: Seen = {
    yiaddr: formatIpv4(d.value.yiaddr),
    lease: d.value.options.has(51) ? 'sent' : undefined,
  };
  for (const code of [
    1, 2, 3, 6, 15, 42, 66, 160, 128, 144, 150, 151, 152, 157, 191,
  ])
    seen[`opt${code}`] =
      d.value.options.get(code) &&
      Buffer.from(d.value.options.get(code)!).toString('hex');
  return seen;
}

/** Every case against the server now running in the lab (hosts of differential.ts). */
export async function runClients(
  lab: Lab,
  dir: string,
): Promise<Record<string, Seen>> {
  return {
    'hq-ascii': await udhcpc(
      lab,
      'c1',
      'eth0',
      dir,
      'hq-ascii',
      'Polycom-VVX410',
      [66, 160, 42, 2, 128, 150, 151, 152],
    ),
    'hq-binary': await dhclient(lab, 'c2', dir, 'hq-binary'),
    'hq-reserved': await udhcpc(
      lab,
      'c3',
      'eth0',
      dir,
      'hq-reserved',
      'Polycom-VVX410',
      [66, 160, 42, 2, 128, 150, 151, 152],
    ),
    'remote-relay': await udhcpc(
      lab,
      'phone',
      'eth1',
      dir,
      'remote-relay',
      'Poly-VVX-250',
      [66, 160, 42, 2, 157, 150, 151, 152],
    ),
    'hq-inform': await inform(
      lab,
      'c1',
      lab.hosts.c1!.address,
      lab.hosts.srv!.address,
    ),
  };
}
