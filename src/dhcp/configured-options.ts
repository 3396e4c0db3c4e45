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
  type ValueCodec,
} from './codec/values.ts';

type Encoded = Result<Uint8Array, string> | undefined;

/** Per declared type: what the value must be (for the message) and its encoding, undefined if it is not that. */
const text =
  (codec: ValueCodec<string>) =>
  (value: unknown): Encoded =>
    typeof value === 'string' ? codec.encode(value) : undefined;
const integer =
  (codec: ValueCodec<number>) =>
  (value: unknown): Encoded => {
    const n =
      typeof value === 'string' && /^-?\d+$/.test(value.trim())
        ? Number(value)
        : value;
    return typeof n === 'number' ? codec.encode(n) : undefined;
  };
const ENCODERS: Readonly<
  Record<
    OptionValue['type'],
    { readonly need: string; readonly encode: (value: unknown) => Encoded }
  >
> = {
  ip: { need: 'an address string', encode: text(ip) },
  ips: {
    need: 'a list of addresses',
    encode: (value) =>
      typeof value === 'string'
        ? ips.encode([value])
        : Array.isArray(value)
          ? ips.encode(value as readonly string[])
          : undefined,
  },
  u8: { need: 'an integer', encode: integer(u8) },
  u16: { need: 'an integer', encode: integer(u16) },
  u32: { need: 'an integer', encode: integer(u32) },
  i32: { need: 'an integer', encode: integer(i32) },
  string: { need: 'text', encode: text(string) },
  bool: {
    need: 'true or false',
    encode: (value) =>
      typeof value === 'boolean' ? bool.encode(value) : undefined,
  },
  hex: { need: 'a hex string', encode: text(hex) },
};

/** Encodes a configured option value by its declared type. */
export function encodeOptionValue(v: OptionValue): Result<Uint8Array, string> {
  const where = `option ${v.code}`;
  if (!Number.isInteger(v.code) || v.code < 1 || v.code > 254)
    return err(`${where}: code must be 1-254`);
  const encoder = Object.hasOwn(ENCODERS, v.type)
    ? ENCODERS[v.type]
    : undefined;
  if (!encoder)
    return err(
      `${where}: unknown type ${String((v as { type: unknown }).type)}`,
    );
  const r = encoder.encode(v.value);
  if (r === undefined)
    return err(`${where}: type ${v.type} needs ${encoder.need}`);
  return r.ok ? r : err(`${where}: ${r.error}`);
}
