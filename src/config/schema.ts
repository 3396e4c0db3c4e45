/**
 * The shape of appliance.yaml (zod 4), assembled from its blocks (schema-fields, -site, -phones, -services,
 * -directory). Unknown keys are errors everywhere (strictObject); defaults are written explicitly. Semantic checks that need more than one field (cross references, pools inside
 * subnets, overlapping sites) live in build.ts. `appliance schema` prints the JSON Schema made from this.
 */
import { z } from 'zod';
import { ipv4, name, type optionValue, parameters } from './schema-fields.ts';
import { dhcpClass, firmware, modelEntry, phone } from './schema-phones.ts';
import { services, uploads } from './schema-services.ts';
import { site } from './schema-site.ts';

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
