/**
 * The contact directory in appliance.yaml: Polycom's item fields (seed 003: ln fn ct sd rt dc ad ar bw bb,
 * UC 4.1.6 lb pt) under readable names, per site (a list, or { readOnly, entries }) and per phone.
 */
import { z } from 'zod';
import type { DirectoryEntry, SiteDirectory } from './model.ts';

/** Phones cut names at 40 bytes of UTF-8 (seed 003). */
const name40 = z.string().refine((s) => Buffer.byteLength(s, 'utf8') <= 40, {
  message: 'is over 40 bytes of UTF-8 (phones keep 40)',
});

export const directoryEntry = z.strictObject({
  firstName: name40.default('').describe('fn'),
  lastName: name40.default('').describe('ln'),
  contact: z
    .string()
    .min(1, 'ct (the number or SIP URI) is required')
    .describe('ct: digits or a SIP URI, unique in a directory'),
  speedDial: z
    .number()
    .int()
    .min(1)
    .max(9999)
    .optional()
    .describe('sd: 1-9999, unique in a directory'),
  ringType: z
    .number()
    .int()
    .min(1)
    .max(21)
    .optional()
    .describe('rt: ring type 1-21'),
  divertContact: z.string().optional().describe('dc'),
  autoDivert: z.boolean().optional().describe('ad (wins over autoReject)'),
  autoReject: z.boolean().optional().describe('ar'),
  buddyWatch: z.boolean().optional().describe('bw'),
  buddyBlock: z.boolean().optional().describe('bb'),
  label: z.string().optional().describe('lb (UC 4.1.6 and later)'),
  protocol: z
    .enum(['SIP', 'H323', 'Unspecified'])
    .optional()
    .describe('pt (UC 4.1.6 and later)'),
});

export const siteDirectory = z
  .preprocess(
    (v) => (Array.isArray(v) ? { entries: v } : v),
    z.strictObject({
      readOnly: z
        .boolean()
        .default(false)
        .describe(
          'dir.local.readonly=1: phones reload the directory on check-sync and may not edit (uploads refused)',
        ),
      entries: z.array(directoryEntry).default([]),
    }),
  )
  .default({ readOnly: false, entries: [] })
  .describe(
    'Contacts every phone of the site gets: a list, or { readOnly, entries }',
  );

export const phoneDirectory = z
  .array(directoryEntry)
  .default([])
  .describe(
    "This phone's own contacts, before the site's, in <MAC>-directory.xml",
  );

type EntryIn = z.infer<typeof directoryEntry>;

export const entryOf = (d: EntryIn): DirectoryEntry => Object.freeze({ ...d });

export const siteDirectoryOf = (
  d: z.infer<typeof siteDirectory>,
): SiteDirectory =>
  Object.freeze({
    readOnly: d.readOnly,
    entries: Object.freeze(d.entries.map(entryOf)),
  });
