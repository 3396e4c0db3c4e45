/**
 * The appliance beside another DHCP server (issue 15, part 3), in network namespaces: kea-dhcp4 (and then
 * dnsmasq) runs `appliance export` of the same appliance.yaml in "srv" with its lease file where the yaml's
 * appliance.leaseSource points; the appliance (services.dhcp off) runs beside it. Two clients (udhcpc) take
 * addresses from it; from each client's address its own overrides/<MAC>-phone.cfg upload is accepted (FTP by
 * curl, and HTTP PUT) and the other phone's refused with TREE_MAC_MISMATCH, as with the appliance's own DHCP;
 * the admin side's /api/leases lists the same leases.
 */

import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { startKind, stopChild } from './export/servers.ts';
import { startLabAppliance } from './lib/admin/start-lab-appliance.ts';
import { labSkip, udhcpc } from './lib/dhcp-lab.ts';
import { createLab, type Lab, waitFor } from './lib/netns.ts';
import { tempDir } from './lib/temp-dir.ts';

const skip = await labSkip(['udhcpc', 'curl', 'kea-dhcp4', 'dnsmasq']);
const NET = '10.93.7';
const SRV = `${NET}.1`;
const MACS = { c1: '0004f2aa0001', c2: '0004f2aa0002' } as const;

function yaml(dir: string, kind: 'kea' | 'dnsmasq', lease: string): string {
  return `appliance:
  address: ${SRV}
  interface: eth0
  tftpboot: ${dir}/tftpboot
  dataDir: ${dir}/data
  leaseSource: { ${kind}: ${lease} }
  services:
    dhcp: { enabled: false }
    tftp: { enabled: false }
    ftp: { enabled: true, pasvMin: 30000, pasvMax: 30050 }
    http: { enabled: true }
    admin: { enabled: true, port: 8080, token: "lsrc-token-0123456789abcdef" }
    ntp: { enabled: false }
    syslog: { enabled: false }
sites:
  hq:
    subnet: ${NET}.0/24
    pool: ${NET}.100-${NET}.149
    ntp: [${SRV}]
    bootServer: { protocol: ftp }
`;
}

/** udhcpc in `host` as `mac`, the bound address put on eth0 in place of the lab's; returns the address. */
async function lease(
  lab: Lab,
  dir: string,
  host: 'c1' | 'c2',
): Promise<string> {
  await lab.exec(host, [
    'ip',
    'link',
    'set',
    'eth0',
    'address',
    MACS[host].replace(/(..)(?!$)/g, '$1:'),
  ]);
  const script = join(dir, `${host}.sh`);
  writeFileSync(
    script,
    `#!/bin/sh\nif [ "$1" = bound ]; then ip addr flush dev "$interface"; ip addr add "$ip/$mask" dev "$interface"; echo "$ip" > ${dir}/${host}.ip; fi\nexit 0\n`,
  );
  chmodSync(script, 0o755);
  await lab.exec(host, udhcpc({ script: script }), { timeoutMs: 20_000 });
  const r = await lab.exec(host, ['cat', join(dir, `${host}.ip`)]);
  return r.stdout.trim();
}

async function scenario(kind: 'kea' | 'dnsmasq'): Promise<void> {
  const dir = tempDir(`lsrc-${kind}-`);
  mkdirSync(join(dir, 'tftpboot'), { recursive: true });
  const serverDir = join(dir, kind);
  const file = join(
    serverDir,
    kind === 'kea' ? 'kea-leases4.csv' : 'dnsmasq.leases',
  );
  const yamlPath = join(dir, 'appliance.yaml');
  writeFileSync(yamlPath, yaml(dir, kind, file));
  const lab = await createLab({
    prefix: `ls${kind[0]}`,
    hosts: ['srv', 'c1', 'c2'],
    subnet: NET,
  });
  try {
    const dhcp = await startKind(lab, 'srv', kind, yamlPath, serverDir);
    const { app, output } = await startLabAppliance(lab, 'srv', yamlPath);
    try {
      const ips = {
        c1: await lease(lab, dir, 'c1'),
        c2: await lease(lab, dir, 'c2'),
      };
      assert.notEqual(ips.c1, ips.c2);
      const body = join(dir, 'override.cfg');
      writeFileSync(
        body,
        '<PHONE_CONFIG><OVERRIDES up.x="1"/></PHONE_CONFIG>\n',
      );
      const ftp = (host: 'c1' | 'c2', mac: string) =>
        lab.exec(
          host,
          [
            'curl',
            '-sv',
            '--ftp-method',
            'nocwd',
            '-T',
            body,
            `ftp://PlcmSpIp:PlcmSpIp@${SRV}/hq/${mac}-phone.cfg`,
          ],
          { allowFail: true, timeoutMs: 15_000 },
        );
      const put = async (
        host: 'c1' | 'c2',
        mac: string,
      ): Promise<{ status: number; code: string | undefined }> => {
        const r = await lab.exec(
          host,
          [
            'curl',
            '-s',
            '-o',
            '/dev/null',
            '-D',
            '-',
            '-w',
            '%{http_code}',
            '-T',
            body,
            `http://${SRV}/hq/${mac}-phone.cfg`,
          ],
          { allowFail: true, timeoutMs: 15_000 },
        );
        return {
          status: Number(r.stdout.slice(-3)),
          code: /x-error-code: (\S+)/i.exec(r.stdout)?.[1],
        };
      };
      // The appliance learns the leases from the file as the server writes it: wait (with a deadline) for c1's.
      const own = await waitFor(
        async () => {
          const r = await ftp('c1', MACS.c1);
          return r.code === 0 ? r : undefined;
        },
        10_000,
        `c1 (${ips.c1}) own FTP upload accepted\n${output().slice(-2000)}`,
      );
      assert.equal(own.code, 0);
      const other = await ftp('c1', MACS.c2);
      assert.notEqual(other.code, 0);
      assert.match(other.stderr, /< 550 TREE_MAC_MISMATCH/);
      const put2 = await waitFor(
        async () => {
          const r = await put('c2', MACS.c2);
          return r.status === 201 || r.status === 204 ? r : undefined;
        },
        10_000,
        `c2 (${ips.c2}) own HTTP PUT accepted`,
      );
      assert.ok([201, 204].includes(put2.status));
      assert.deepEqual(await put('c2', MACS.c1), {
        status: 403,
        code: 'TREE_MAC_MISMATCH',
      });
      // The admin side reads the same leases: /api/leases lists both phones at their addresses, in site hq.
      const api = await lab.exec('c1', [
        'curl',
        '-s',
        '-H',
        'Authorization: Bearer lsrc-token-0123456789abcdef',
        `http://${SRV}:8080/api/leases`,
      ]);
      const listed = (
        JSON.parse(api.stdout) as {
          leases: { ip: string; mac: string; site: string; active: boolean }[];
        }
      ).leases;
      assert.deepEqual(
        listed.map((l) => [l.ip, l.mac, l.site, l.active]).sort(),
        [
          [ips.c1, MACS.c1, 'hq', true],
          [ips.c2, MACS.c2, 'hq', true],
        ].sort(),
      );
    } finally {
      await stopChild(app);
      await dhcp.stop();
    }
  } finally {
    await lab.destroy();
  }
}

test(
  "DHCP off, Kea lease file as the lease source: a phone's own override upload is accepted, another phone's refused",
  { skip, timeout: 120_000 },
  () => scenario('kea'),
);

test(
  "DHCP off, dnsmasq lease file as the lease source: a phone's own override upload is accepted, another phone's refused",
  { skip, timeout: 120_000 },
  () => scenario('dnsmasq'),
);
