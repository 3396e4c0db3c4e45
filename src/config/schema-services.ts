/**
 * The services block of appliance.yaml (DHCP, TFTP, FTP, HTTP(S), admin, NTP, syslog: each on or off, its
 * port, its limits) and the upload size limits. Every field has its default, so an absent block is the defaults.
 */
import { z } from 'zod';
import { ipv4, port } from './schema-fields.ts';

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

export const services = z.strictObject({
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
export const uploads = z.strictObject({
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
