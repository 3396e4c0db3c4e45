/**
 * The shape of appliance.yaml (zod 4). Unknown keys are errors everywhere (strictObject); defaults are
 * written here, explicitly. Semantic checks that need more than one field (cross references, pools inside
 * subnets, overlapping sites) live in build.ts. `appliance schema` prints the JSON Schema made from this.
 */
import { z } from 'zod';
import { phoneDirectory, siteDirectory } from './schema-directory.ts';

const ipv4 = z
  .string()
  .regex(
    /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/,
    'expected an IPv4 address like 10.20.0.2',
  );
const port = z.number().int().min(1).max(65535);
const name = z
  .string()
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9._-]*$/,
    'use letters, digits, ".", "_" and "-"',
  );

/** Polycom parameter names: reg.1.address, device.set, tcpIpApp.sntp.gmtOffset, sec.TLS.customCaCert.1 */
export const PARAMETER_NAME = /^[A-Za-z][A-Za-z0-9_]*(\.[A-Za-z0-9_]+)+$/;
const parameters = z
  .record(
    z
      .string()
      .regex(
        PARAMETER_NAME,
        'not a Polycom parameter name (expected dotted, like reg.1.address)',
      ),
    z.union([z.string(), z.number(), z.boolean()]),
  )
  .default({})
  .describe(
    'Polycom configuration parameters, by their own names (reg.1.address: "1001@pbx.lab")',
  );

const optionValue = z
  .strictObject({
    code: z.number().int().min(1).max(254),
    type: z
      .enum(['ip', 'ips', 'string', 'u8', 'u16', 'u32', 'i32', 'hex', 'bool'])
      .default('string'),
    value: z.union([z.string(), z.number(), z.boolean(), z.array(z.string())]),
  })
  .describe(
    'A DHCP option: code, value type, value (hex as "01 02 0a" or "01020a")',
  );
const options = z.array(optionValue).default([]);

const firmware = z.strictObject({
  version: z
    .string()
    .min(1)
    .describe(
      'Version string of the release, as the phone reports it (5.9.7.4477)',
    ),
  folder: z
    .string()
    .min(1)
    .describe(
      'Folder under tftpboot/ holding the split download (<part>.sip.ld, <part>.bootrom.ld)',
    ),
  image: z
    .string()
    .default('sip.ld')
    .describe(
      'APP_FILE_PATH file name: "sip.ld" for split downloads (the phone asks <part>.sip.ld); a legacy combined image by its own name (sip_212.ld)',
    ),
  configFiles: z
    .array(z.string())
    .default([])
    .describe(
      'Configuration files shipped with the release (legacy sip_212.cfg), read after ours',
    ),
});

const modelEntry = z.strictObject({
  firmware: name
    .optional()
    .describe('Firmware release for this model (a key of firmware:)'),
  parameters,
  partNumber: z
    .string()
    .regex(/^\d{4}-\d{5}-\d{3}$/, 'expected a part number like 3111-46162-001')
    .optional(),
  uaToken: z.string().optional(),
  uaFamily: z.string().optional(),
  family: z
    .enum(['SoundPoint', 'SoundStation', 'VVX', 'Trio', 'Other'])
    .optional(),
  hasBootrom: z.boolean().optional(),
  description: z.string().optional(),
});

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

const site = z.strictObject({
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

const phone = z.strictObject({
  site: name.optional(),
  model: z.string().optional(),
  label: z.string().optional(),
  parameters,
  firmware: name
    .optional()
    .describe(
      'Pin this phone to a firmware release (gives it its own <MAC>.cfg)',
    ),
  address: ipv4.optional().describe('Fixed address (reservation)'),
  options,
  directory: phoneDirectory,
});

const dhcpClass = z.strictObject({
  name: name,
  match: z.strictObject({
    model: z.string().optional(),
    family: z
      .enum(['SoundPoint', 'SoundStation', 'VVX', 'Trio', 'Other'])
      .optional(),
    partNumber: z.string().optional(),
    vendorClass: z
      .string()
      .optional()
      .describe('Substring of the option 60 text'),
    site: name.optional(),
  }),
  options,
});

/** A service block: on or off, its port, its own settings; every field has its default, so an absent block is the defaults. */
const service = <S extends z.core.$ZodLooseShape = Record<never, never>>(
  enabled: boolean,
  defaultPort: number,
  shape: S = {} as S,
) =>
  z
    .strictObject({
      enabled: z.boolean().default(enabled),
      port: port.default(defaultPort),
      ...shape,
    })
    .prefault({} as never);

const services = z.strictObject({
  dhcp: service(true, 67),
  tftp: service(true, 69, {
    maxBlksize: z.number().int().min(512).max(65464).default(1468),
    maxTransfers: z.number().int().min(1).default(500),
    maxTransfersPerHost: z
      .number()
      .int()
      .min(1)
      .default(8)
      .describe(
        'Transfers one client address may hold at once (a phone needs one; more are refused TFTP_HOST_BUSY)',
      ),
    maxTransferSeconds: z
      .number()
      .int()
      .min(10)
      .default(1800)
      .describe(
        'Longest a transfer may run, however it progresses; then it ends TFTP_LIFETIME',
      ),
  }),
  ftp: service(true, 21, {
    pasvMin: port.default(30000),
    pasvMax: port.default(30999),
    cert: z.string().optional(),
    key: z.string().optional(),
  }),
  http: service(true, 80),
  https: service(false, 443, {
    cert: z.string().optional(),
    key: z.string().optional(),
    clientCa: z
      .string()
      .optional()
      .describe(
        'CA bundle: when set, phones must present a client certificate signed by it (mutual TLS)',
      ),
  }),
  admin: service(true, 8080, {
    address: ipv4
      .optional()
      .describe(
        'Address the admin API binds; default every address (including the phone VLAN): bind it to a management address where there is one',
      ),
    token: z.string().min(16).optional(),
  }),
  ntp: service(true, 123, {
    enabled: z
      .boolean()
      .default(true)
      .describe(
        'SNTP server for the phones (DHCP option 42 points at the appliance); disable when the VLAN has its own NTP server',
      ),
    stratum: z
      .number()
      .int()
      .min(1)
      .max(15)
      .default(10)
      .describe(
        "Stratum announced while the host clock is not synchronised (a lab with no upstream, like chrony's local stratum); a synchronised host clock announces stratum 3",
      ),
  }),
  syslog: service(true, 514, {
    enabled: z
      .boolean()
      .default(true)
      .describe(
        "Syslog receiver (RFC 3164/5424) for the phones' device.syslog.* logs",
      ),
    tcp: z
      .boolean()
      .default(true)
      .describe(
        'Also accept syslog over TCP (octet-counted or LF-framed) on the same port',
      ),
    maxFileBytes: z
      .number()
      .int()
      .min(65536)
      .default(1024 * 1024)
      .describe(
        "Size cap of each phone's log file <dataDir>/syslog/<mac>.log; one rotated generation (.log.1) is kept",
      ),
    maxPhones: z
      .number()
      .int()
      .min(1)
      .default(1000)
      .describe(
        'Phones with a log file at most; disk use stays under maxPhones × 2 × maxFileBytes',
      ),
  }),
});

const KIB = 1024;
const uploads = z.strictObject({
  overrides: z
    .number()
    .int()
    .min(1)
    .default(1024 * KIB),
  logs: z
    .number()
    .int()
    .min(1)
    .default(5 * 1024 * KIB),
  contacts: z
    .number()
    .int()
    .min(1)
    .default(2 * 1024 * KIB),
  calls: z
    .number()
    .int()
    .min(1)
    .default(1024 * KIB),
  keepGenerations: z.number().int().min(0).max(50).default(5),
});

export const ApplianceSchema = z.strictObject({
  $schema: z.string().optional(),
  appliance: z.strictObject({
    address: ipv4.describe(
      "The appliance's own address on the phone network (boot-server host, DHCP server id)",
    ),
    interface: z
      .string()
      .min(1)
      .describe('The only interface DHCP answers on (eth1.200, ens4 ...)'),
    tftpboot: z
      .string()
      .default('./tftpboot')
      .describe(
        'Folder with the Polycom split download, relative to this file',
      ),
    dataDir: z
      .string()
      .default('./data')
      .describe('Leases, uploads, inventory; relative to this file'),
    services: services.default(services.parse({})),
    leaseSource: z
      .strictObject({
        kea: z
          .string()
          .min(1)
          .optional()
          .describe(
            "Kea's memfile lease file (lease4 CSV), relative to this file",
          ),
        dnsmasq: z
          .string()
          .min(1)
          .optional()
          .describe(
            "dnsmasq's lease file (dhcp-leasefile), relative to this file",
          ),
      })
      .optional()
      .describe(
        'With services.dhcp disabled: the lease file of the DHCP server beside the appliance (exactly one of kea, dnsmasq), followed as it changes; it says which phone holds which address (upload checks, inventory, admin page)',
      ),
    uploads: uploads.default(uploads.parse({})),
  }),
  defaults: z
    .strictObject({
      firmware: name
        .optional()
        .describe('Release for models without their own choice'),
    })
    .default({}),
  parameters: parameters.describe(
    'Parameters every phone gets (common.cfg, read last)',
  ),
  firmware: z.record(name, firmware).default({}),
  models: z
    .record(
      z
        .string()
        .regex(/^[A-Za-z0-9]+$/, 'a model token like VVX410 or SPIP650'),
      modelEntry,
    )
    .default({}),
  sites: z.record(name, site),
  classes: z.array(dhcpClass).default([]),
  phones: z.record(z.string(), phone).default({}),
});

export type ApplianceYaml = z.infer<typeof ApplianceSchema>;
export type SiteYaml = z.infer<typeof site>;
export type PhoneYaml = z.infer<typeof phone>;
export type OptionYaml = z.infer<typeof optionValue>;

export function jsonSchema(): unknown {
  return z.toJSONSchema(ApplianceSchema, {
    io: 'input',
    unrepresentable: 'any',
  });
}
