/**
 * Typed access to DHCP options, and encoding of configured option values.
 *
 * Accessors read the raw Map of a decoded packet and return undefined when the option is absent OR its value
 * is malformed (wrong length, empty text …); they never throw. A malformed option never drops a packet.
 */
import { type Result, err } from '../../shared/result.ts';
import type { OptionValue } from '../../config/model.ts';
import type { DhcpPacket } from './packet.ts';
import { ip, ips, u8, u16, u32, i32, string, bool, hex, ipNumber, u8list } from './values.ts';

export { ip, ips, u8, u16, u32, i32, string, bool, hex, ipNumber, u8list, toHex, type ValueCodec } from './values.ts';
export { catalog, optionName, optionType, FIXED_VLAN_OPTIONS, type OptionInfo, type OptionType } from './catalog.ts';
export { vlanDiscovery, parseVlanDiscovery, checkVlanIds, MAX_VLAN_ID } from './vlan.ts';
export { encodeSubOptions, decodeSubOptions, encodeVivso, decodeVivso, type SubOption, type VendorInfo } from './sub-options.ts';
export { formatPacket, packetSummary, messageTypeName, type PacketSummary } from './format.ts';
export { domains, sipServers, type SipServers } from './names.ts';
export { formatOption } from './option-format.ts';

export const Option = {
  SUBNET_MASK: 1, TIME_OFFSET: 2, ROUTERS: 3, DNS: 6, HOST_NAME: 12, DOMAIN_NAME: 15, BROADCAST: 28, NTP: 42,
  VENDOR_SPECIFIC: 43, REQUESTED_IP: 50, LEASE_TIME: 51, OVERLOAD: 52, MESSAGE_TYPE: 53, SERVER_ID: 54,
  PARAMETER_REQUEST_LIST: 55, MESSAGE: 56, MAX_MESSAGE_SIZE: 57, RENEWAL_TIME: 58, REBINDING_TIME: 59,
  VENDOR_CLASS: 60, CLIENT_ID: 61, TFTP_SERVER_NAME: 66, BOOTFILE_NAME: 67, RELAY_AGENT: 82,
  DOMAIN_SEARCH: 119, SIP_SERVERS: 120, VIVSO: 125, POLYCOM_BOOT_SERVER: 160,
} as const;

const raw = (p: DhcpPacket, code: number): Uint8Array | undefined => p.options.get(code);

/** Option 53, 1-255 (DISCOVER … INFORM are 1-8). */
export function messageType(p: DhcpPacket): number | undefined {
  const v = raw(p, 53);
  return v !== undefined && v.length === 1 && v[0]! > 0 ? v[0] : undefined;
}

/** Option 50 as an unsigned 32-bit number. */
export const requestedIp = (p: DhcpPacket): number | undefined => {
  const v = raw(p, 50);
  return v === undefined ? undefined : ipNumber.decode(v);
};

/** Option 54 as an unsigned 32-bit number. */
export const serverId = (p: DhcpPacket): number | undefined => {
  const v = raw(p, 54);
  return v === undefined ? undefined : ipNumber.decode(v);
};

/** Option 55: the codes the client asks for, in its order (a fingerprint as well). */
export const parameterRequestList = (p: DhcpPacket): number[] | undefined => {
  const v = raw(p, 55);
  return v === undefined || v.length === 0 ? undefined : Array.from(v);
};

/** Option 60 bytes, non-empty (decode them with vendor-class.ts). */
export const vendorClassRaw = (p: DhcpPacket): Uint8Array | undefined => {
  const v = raw(p, 60);
  return v === undefined || v.length === 0 ? undefined : v;
};

/** Option 61 bytes (type + id); RFC 2132 §9.14 requires at least 2 bytes. */
export const clientId = (p: DhcpPacket): Uint8Array | undefined => {
  const v = raw(p, 61);
  return v === undefined || v.length < 2 ? undefined : v;
};

/** Option 12 text (trailing NULs dropped). */
export const hostName = (p: DhcpPacket): string | undefined => {
  const v = raw(p, 12);
  return v === undefined ? undefined : string.decode(v);
};

/** Option 51 seconds. */
export const leaseTime = (p: DhcpPacket): number | undefined => {
  const v = raw(p, 51);
  return v === undefined ? undefined : u32.decode(v);
};

/** Option 57; values under 576 are illegal (RFC 2132 §9.10) and read as absent. */
export const maxMessageSize = (p: DhcpPacket): number | undefined => {
  const v = raw(p, 57);
  const n = v === undefined ? undefined : u16.decode(v);
  return n !== undefined && n >= 576 ? n : undefined;
};

/** A text option (66, 160, 128 …) as a string. */
export const textOption = (p: DhcpPacket, code: number): string | undefined => {
  const v = raw(p, code);
  return v === undefined ? undefined : string.decode(v);
};

/**
 * Boot server value for options 66 / 160 (and a custom string option): plain text, any URL form the phone
 * accepts (ftp://user:pass@host/path, http://host/path, a bare address). Over 255 bytes is split on the wire.
 */
export const bootServer = (url: string): Result<Uint8Array, string> => string.encode(url);

/** Encodes a configured option value by its declared type. */
export function encodeOptionValue(v: OptionValue): Result<Uint8Array, string> {
  const where = `option ${v.code}`;
  if (!Number.isInteger(v.code) || v.code < 1 || v.code > 254) return err(`${where}: code must be 1-254`);
  const value = v.value;
  let r: Result<Uint8Array, string>;
  switch (v.type) {
    case 'ip':
      if (typeof value !== 'string') return err(`${where}: type ip needs an address string`);
      r = ip.encode(value);
      break;
    case 'ips':
      if (typeof value === 'string') r = ips.encode([value]);
      else if (Array.isArray(value)) r = ips.encode(value as readonly string[]);
      else return err(`${where}: type ips needs a list of addresses`);
      break;
    case 'u8': case 'u16': case 'u32': case 'i32': {
      const n = typeof value === 'string' && /^-?\d+$/.test(value.trim()) ? Number(value) : value;
      if (typeof n !== 'number') return err(`${where}: type ${v.type} needs an integer`);
      r = { u8, u16, u32, i32 }[v.type].encode(n);
      break;
    }
    case 'string':
      if (typeof value !== 'string') return err(`${where}: type string needs text`);
      r = string.encode(value);
      break;
    case 'bool':
      if (typeof value !== 'boolean') return err(`${where}: type bool needs true or false`);
      r = bool.encode(value);
      break;
    case 'hex':
      if (typeof value !== 'string') return err(`${where}: type hex needs a hex string`);
      r = hex.encode(value);
      break;
    default:
      return err(`${where}: unknown type ${String((v as { type: unknown }).type)}`);
  }
  return r.ok ? r : err(`${where}: ${r.error}`);
}
