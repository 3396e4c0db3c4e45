/**
 * Encodes the DHCP options configured in appliance.yaml (sites, classes, phones) to wire values, by the type
 * each entry declares. Lives beside the codec, not in it: the codec knows wire shapes, not the config model.
 */

import type { OptionValue } from '../config/model.ts';
import { err, type Result } from '../shared/result.ts';
import {
  bool,
  hex,
  i32,
  ip,
  ips,
  string,
  u8,
  u16,
  u32,
} from './codec/values.ts';

/** Encodes a configured option value by its declared type. */
export function encodeOptionValue(v: OptionValue): Result<Uint8Array, string> {
  const where = `option ${v.code}`;
  if (!Number.isInteger(v.code) || v.code < 1 || v.code > 254)
    return err(`${where}: code must be 1-254`);
  const value = v.value;
  let r: Result<Uint8Array, string>;
  switch (v.type) {
    case 'ip':
      if (typeof value !== 'string')
        return err(`${where}: type ip needs an address string`);
      r = ip.encode(value);
      break;
    case 'ips':
      if (typeof value === 'string') r = ips.encode([value]);
      else if (Array.isArray(value)) r = ips.encode(value as readonly string[]);
      else return err(`${where}: type ips needs a list of addresses`);
      break;
    case 'u8':
    case 'u16':
    case 'u32':
    case 'i32': {
      const n =
        typeof value === 'string' && /^-?\d+$/.test(value.trim())
          ? Number(value)
          : value;
      if (typeof n !== 'number')
        return err(`${where}: type ${v.type} needs an integer`);
      r = { u8, u16, u32, i32 }[v.type].encode(n);
      break;
    }
    case 'string':
      if (typeof value !== 'string')
        return err(`${where}: type string needs text`);
      r = string.encode(value);
      break;
    case 'bool':
      if (typeof value !== 'boolean')
        return err(`${where}: type bool needs true or false`);
      r = bool.encode(value);
      break;
    case 'hex':
      if (typeof value !== 'string')
        return err(`${where}: type hex needs a hex string`);
      r = hex.encode(value);
      break;
    default:
      return err(
        `${where}: unknown type ${String((v as { type: unknown }).type)}`,
      );
  }
  return r.ok ? r : err(`${where}: ${r.error}`);
}
