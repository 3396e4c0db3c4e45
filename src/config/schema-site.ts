/**
 * One site of appliance.yaml: its subnet and pool, DHCP options, boot server (the URL phones are sent to),
 * parameters, firmware choices, directory, accounts and upload policy.
 */
import { z } from 'zod';
import { siteDirectory } from './schema-directory.ts';
import { ipv4, name, options, parameters, port } from './schema-fields.ts';

const bootServer = z.strictObject({
  protocol: z.enum(['ftp', 'tftp', 'http', 'https']).default('ftp'),
  host: z
    .string()
    .optional()
    .describe('Host in the URL; default appliance.address'),
  port: port.optional(),
  user: z
    .string()
    .optional()
    .describe('Default PlcmSpIp for FTP (the factory account)'),
  password: z.string().optional(),
  path: z
    .string()
    .regex(
      /^([A-Za-z0-9_-][A-Za-z0-9._-]*(\/[A-Za-z0-9_-][A-Za-z0-9._-]*)*)?$/,
      'a folder name like "hq" or "" for the root (no "..", no hidden names)',
    )
    .optional()
    .describe(
      'The site folder in the tree; default the site name; "" serves the site at the root',
    ),
});

export const site = z.strictObject({
  mode: z
    .enum(['authoritative', 'inform-only'])
    .default('authoritative')
    .describe(
      'inform-only: another DHCP server hands out addresses; we only answer DHCPINFORM',
    ),
  subnet: z.string().describe('The phone subnet, e.g. 10.20.0.0/24'),
  pool: z
    .union([z.string(), z.array(z.string())])
    .optional()
    .describe(
      'Address range(s) "10.20.0.100-10.20.0.199"; required when authoritative',
    ),
  router: ipv4.optional(),
  dns: z.array(ipv4).default([]),
  domain: z.string().optional(),
  ntp: z.array(ipv4).default([]),
  timeOffset: z
    .number()
    .int()
    .min(-86400)
    .max(86400)
    .optional()
    .describe('DHCP option 2: seconds east of UTC (-21600 = UTC-6)'),
  leaseTime: z.number().int().min(60).default(86400),
  relays: z
    .array(ipv4)
    .default([])
    .describe(
      'Relay agents (giaddr) whose requests belong to this site besides those inside the subnet',
    ),
  vlan: z
    .strictObject({
      id: z.union([
        z.number().int().min(0).max(4095),
        z.array(z.number().int().min(0).max(4095)).min(1),
      ]),
      option: z
        .union([z.literal('fixed'), z.number().int().min(128).max(254)])
        .default('fixed')
        .describe(
          '"fixed" = options 128/144/157/191 (phones read them in that order), or one custom option code',
        ),
    })
    .optional(),
  bootServer: bootServer.default({ protocol: 'ftp' }),
  options,
  parameters,
  firmware: z
    .record(z.string(), name)
    .default({})
    .describe('Per-model firmware release at this site: { VVX410: ucs-6.4 }'),
  directory: siteDirectory,
  accounts: z
    .array(
      z.strictObject({ user: z.string().min(1), password: z.string().min(1) }),
    )
    .default([])
    .describe('FTP / HTTP accounts confined to this site'),
  uploads: z
    .strictObject({
      allowUnknownHosts: z
        .boolean()
        .default(false)
        .describe(
          "UNSAFE: let an address with no DHCP lease and no INFORM binding upload any phone's files (static-address labs only)",
        ),
    })
    .default({ allowUnknownHosts: false }),
});
