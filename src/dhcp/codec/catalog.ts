/**
 * The option catalog: code → name and value shape, for the options the appliance reads or sends.
 * Names follow RFC 2132 and the IANA registry; Polycom's use is noted. Codes not listed are kept raw (hex).
 */
export type OptionType =
  | 'ip'
  | 'ips'
  | 'u8'
  | 'u16'
  | 'u32'
  | 'i32'
  | 'string'
  | 'bool'
  | 'hex'
  | 'u8list' // a list of option codes (55)
  | 'suboptions' // code/len/value list (43, 82)
  | 'vivso' // RFC 3925 V-I vendor-specific information (125)
  | 'vendor-class' // option 60: Polycom binary or ASCII, see vendor-class.ts
  | 'domains' // RFC 1035 wire names (119 domain search, RFC 3397)
  | 'sip-servers'; // RFC 3361 (120): encoding byte, then names or addresses

export interface OptionInfo {
  readonly name: string;
  readonly type: OptionType;
}

export const catalog: ReadonlyMap<number, OptionInfo> = new Map<
  number,
  OptionInfo
>([
  [1, { name: 'subnet-mask', type: 'ip' }],
  [2, { name: 'time-offset', type: 'i32' }],
  [3, { name: 'routers', type: 'ips' }],
  [4, { name: 'time-servers', type: 'ips' }],
  [6, { name: 'domain-name-servers', type: 'ips' }],
  [7, { name: 'log-servers', type: 'ips' }],
  [12, { name: 'host-name', type: 'string' }],
  [15, { name: 'domain-name', type: 'string' }],
  [26, { name: 'interface-mtu', type: 'u16' }],
  [28, { name: 'broadcast-address', type: 'ip' }],
  [42, { name: 'ntp-servers', type: 'ips' }],
  [43, { name: 'vendor-encapsulated-options', type: 'suboptions' }],
  [50, { name: 'requested-address', type: 'ip' }],
  [51, { name: 'lease-time', type: 'u32' }],
  [52, { name: 'option-overload', type: 'u8' }],
  [53, { name: 'message-type', type: 'u8' }],
  [54, { name: 'server-identifier', type: 'ip' }],
  [55, { name: 'parameter-request-list', type: 'u8list' }],
  [56, { name: 'message', type: 'string' }],
  [57, { name: 'max-message-size', type: 'u16' }],
  [58, { name: 'renewal-time', type: 'u32' }],
  [59, { name: 'rebinding-time', type: 'u32' }],
  [60, { name: 'vendor-class-identifier', type: 'vendor-class' }],
  [61, { name: 'client-identifier', type: 'hex' }],
  [66, { name: 'tftp-server-name', type: 'string' }], // Polycom boot server (any URL form)
  [67, { name: 'bootfile-name', type: 'string' }],
  [81, { name: 'client-fqdn', type: 'hex' }],
  [82, { name: 'relay-agent-information', type: 'suboptions' }],
  [119, { name: 'domain-search', type: 'domains' }],
  [120, { name: 'sip-servers', type: 'sip-servers' }],
  [125, { name: 'vivso', type: 'vivso' }],
  [128, { name: 'polycom-vlan-128', type: 'string' }], // DVD string, "Fixed" order 128, 144, 157, 191
  [144, { name: 'polycom-vlan-144', type: 'string' }],
  [150, { name: 'tftp-server-address', type: 'ips' }], // Cisco-style TFTP server list
  [157, { name: 'polycom-vlan-157', type: 'string' }],
  [160, { name: 'polycom-boot-server', type: 'string' }],
  [191, { name: 'polycom-vlan-191', type: 'string' }],
]);

export const optionName = (code: number): string =>
  catalog.get(code)?.name ?? `option-${code}`;
export const optionType = (code: number): OptionType =>
  catalog.get(code)?.type ?? 'hex';
