/**
 * The DHCP servers the benchmark measures, each started fresh (empty lease store) in the lab's server
 * namespace: the appliance as users start it (`appliance run --config appliance.yaml`, which re-executes
 * itself with its own V8 flags; every service at its default, on: they idle but for DHCP and the inventory and
 * admin side the DHCP events feed), from this checkout or
 * another one (the before/after comparison); kea-dhcp4 (memfile with persist on, LFC off: Kea appends each lease
 * to its CSV file and does not fsync it); dnsmasq (lease file). All three hand out the same options from the
 * same large pool (10.64.0.0/10, so a high rate for several seconds never exhausts it).
 * Logging: each at its default level (the appliance at info, one JSON line per DHCP message; Kea at INFO, two
 * lines per exchange), or both quiet (--log warn: the appliance at warn, Kea at WARN).
 */
import type { ChildProcess } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { benchYaml } from '../../test/lib/dhcp-fixture.ts';
import { type Lab, waitFor } from '../../test/lib/netns.ts';
import { rcvbufShim } from './perfdhcp.ts';

export const NET = '10.91.3';
const SUBNET = '10.64.0.0/10';
const POOL_FIRST = '10.96.0.0';
const POOL_LAST = '10.111.255.254';
const BOOT = `ftp://PlcmSpIp:PlcmSpIp@${NET}.1`;

export type LogLevel = 'info' | 'warn';

/** The appliance's admin port (the service it starts last), listening: it has started. */
const adminListening = async (lab: Lab): Promise<boolean> =>
  /:1F90 0+:0000 0A/.test(
    (await lab.exec('srv', ['cat', '/proc/net/tcp', '/proc/net/tcp6'])).stdout,
  );

export interface Server {
  readonly name: string;
  readonly rates: readonly number[];
  start(dir: string): Promise<ChildProcess>;
}

const LADDER = [
  1000, 2000, 3000, 4000, 5000, 6000, 7000, 8000, 10_000, 12_000, 14_000,
  16_000, 20_000, 25_000, 30_000, 40_000, 50_000,
];

function spawnLogged(
  lab: Lab,
  dir: string,
  argv: string[],
  env: Record<string, string> = {},
): ChildProcess {
  const log = openSync(join(dir, 'server.log'), 'a');
  const c = lab.spawn('srv', argv, {
    stdio: ['ignore', log, log],
    env: { ...process.env, ...env },
  });
  closeSync(log);
  return c;
}

const fileHas = (path: string, text: string): boolean =>
  existsSync(path) && readFileSync(path, 'utf8').includes(text);
const logHas = (dir: string, text: string): boolean =>
  fileHas(join(dir, 'server.log'), text);

/**
 * The appliance of the checkout in `root`, every service at its default (on), as users start it. `wrap`
 * goes before node (strace, valgrind), `nodeArgs` after it (--cpu-prof: `run` keeps them when it re-executes).
 */
export function appliance(
  lab: Lab,
  name: string,
  root: string,
  o: {
    wrap?: readonly string[];
    nodeArgs?: readonly string[];
    log?: LogLevel;
  } = {},
): Server {
  return {
    name,
    rates: LADDER,
    async start(dir) {
      const dataDir = join(dir, 'data');
      const yaml = join(dir, 'appliance.yaml');
      await writeFile(
        yaml,
        benchYaml({
          net: NET,
          dataDir,
          subnet: SUBNET,
          pool: `${POOL_FIRST}-${POOL_LAST}`,
        }),
      );
      const c = spawnLogged(
        lab,
        dir,
        [
          ...(o.wrap ?? []),
          process.execPath,
          ...(o.nodeArgs ?? []),
          join(root, 'bin', 'appliance.js'),
          'run',
          '--config',
          yaml,
        ],
        o.log ? { LOG_LEVEL: o.log } : {},
      );
      await waitFor(() => adminListening(lab), 600_000, name);
      return c;
    },
  };
}

export const keaConfig = (dir: string, log: LogLevel): object => ({
  Dhcp4: {
    'interfaces-config': { interfaces: ['eth0'], 'dhcp-socket-type': 'raw' },
    'lease-database': {
      type: 'memfile',
      persist: true,
      name: join(dir, 'kea-leases4.csv'),
      'lfc-interval': 0,
    },
    'valid-lifetime': 3600,
    'option-def': [{ name: 'polycom-boot', code: 160, type: 'string' }],
    'client-classes': [
      { name: 'polycom', test: 'substring(option[60].hex,0,4) == 0x0000363D' },
    ],
    subnet4: [
      {
        subnet: SUBNET,
        pools: [{ pool: `${POOL_FIRST} - ${POOL_LAST}` }],
        'option-data': [
          { name: 'tftp-server-name', data: BOOT },
          { name: 'polycom-boot', data: BOOT },
          { name: 'ntp-servers', data: `${NET}.1` },
          { name: 'time-offset', data: '-21600' },
        ],
      },
    ],
    loggers: [
      {
        name: 'kea-dhcp4',
        severity: log.toUpperCase(),
        output_options: [{ output: join(dir, 'kea.log') }],
      },
    ],
  },
});

/**
 * kea-dhcp4; `rcvbufBytes` > 0 gives its sockets that receive buffer (rcvbuf.c; Kea sets none, so its raw
 * socket otherwise has net.core.rmem_default, 208 KiB, where the appliance asks for 4 MiB).
 */
export function kea(lab: Lab, log: LogLevel = 'info', rcvbufBytes = 0): Server {
  return {
    name: 'kea-dhcp4',
    rates: LADDER,
    async start(dir) {
      await writeFile(
        join(dir, 'kea.json'),
        JSON.stringify(keaConfig(dir, log)),
      );
      const c = spawnLogged(
        lab,
        dir,
        [
          ...(rcvbufBytes > 0
            ? [
                'env',
                `RCVBUF_BYTES=${rcvbufBytes}`,
                `LD_PRELOAD=${rcvbufShim()}`,
              ]
            : []),
          'kea-dhcp4',
          '-c',
          join(dir, 'kea.json'),
        ],
        {
          KEA_PIDFILE_DIR: dir,
          KEA_LOCKFILE_DIR: dir,
        },
      );
      // Listening once its log says so (after the raw socket is open; DHCP4_STARTED is INFO, the
      // multi-threading line that follows configuration is WARN).
      await waitFor(
        () =>
          fileHas(
            join(dir, 'kea.log'),
            log === 'info' ? 'DHCP4_STARTED' : 'DHCP4_MULTI_THREADING_INFO',
          ),
        15_000,
        'kea-dhcp4 started',
      );
      return c;
    },
  };
}

export function dnsmasq(lab: Lab): Server {
  return {
    name: 'dnsmasq',
    rates: [100, 200, 300, 500, 1000, 2000],
    async start(dir) {
      const c = spawnLogged(lab, dir, [
        'dnsmasq',
        ...'--no-daemon --port=0 --interface=eth0 --bind-interfaces --no-ping --quiet-dhcp'.split(
          ' ',
        ),
        `--dhcp-range=${POOL_FIRST},${POOL_LAST},255.192.0.0,1h`,
        `--dhcp-leasefile=${join(dir, 'dnsmasq.leases')}`,
        '--dhcp-lease-max=1000000',
        `--dhcp-option=66,"ftp://${NET}.1"`,
        `--dhcp-option=160,"ftp://${NET}.1"`,
        `--pid-file=${join(dir, 'dnsmasq.pid')}`,
      ]);
      await waitFor(() => logHas(dir, 'DHCP, IP range'), 10_000, 'dnsmasq');
      return c;
    },
  };
}
