/**
 * The field types appliance.yaml uses in more than one block: addresses, ports, names, Polycom parameter maps
 * and DHCP option lists (zod 4).
 */
import { z } from 'zod';

export const ipv4 = z
  .string()
  .regex(
    /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/,
    'expected an IPv4 address like 10.20.0.2',
  );
export const port = z.number().int().min(1).max(65535);
export const name = z
  .string()
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9._-]*$/,
    'use letters, digits, ".", "_" and "-"',
  );

/** Polycom parameter names: reg.1.address, device.set, tcpIpApp.sntp.gmtOffset, sec.TLS.customCaCert.1 */
export const PARAMETER_NAME = /^[A-Za-z][A-Za-z0-9_]*(\.[A-Za-z0-9_]+)+$/;
export const parameters = z
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

export const optionValue = z
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
export const options = z.array(optionValue).default([]);
