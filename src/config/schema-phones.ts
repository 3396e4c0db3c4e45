/**
 * What phones run and receive in appliance.yaml: firmware releases, per-model settings, DHCP classes and the
 * per-phone entries (reservations, pins, parameters, directory).
 */
import { z } from 'zod';
import { phoneDirectory } from './schema-directory.ts';
import { ipv4, name, options, parameters } from './schema-fields.ts';

export const firmware = z.strictObject({
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

export const modelEntry = z.strictObject({
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

export const phone = z.strictObject({
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

export const dhcpClass = z.strictObject({
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
