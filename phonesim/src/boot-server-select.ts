/**
 * Which DHCP option gives the boot server, per the phone's Boot Server mode (facts §4, [AG22]):
 * option66 → 66 (string); custom → the custom option (160 by default; string or IP type); static → none from
 * DHCP; custom+66 → the custom option if present, else 66. And the VLAN discovery string, if any (facts §3).
 */
import { textOption } from '../../src/dhcp/codec/options.ts';
import type { DhcpPacket } from '../../src/dhcp/codec/packet.ts';
import { parseVlanDiscovery } from '../../src/dhcp/codec/vlan.ts';
import { formatIpv4 } from '../../src/shared/ipv4.ts';
import { FIXED_VLAN_OPTIONS } from '../../src/shared/polycom-dhcp.ts';

export type BootServerMode = 'option66' | 'custom' | 'static' | 'custom+66';

export interface BootServerSetting {
  readonly mode: BootServerMode;
  readonly customOption: number;
  readonly customType: 'string' | 'ip';
}

const asPacket = (options: ReadonlyMap<number, Uint8Array>): DhcpPacket =>
  ({ options }) as unknown as DhcpPacket;

function custom(
  options: ReadonlyMap<number, Uint8Array>,
  s: BootServerSetting,
): string | undefined {
  const v = options.get(s.customOption);
  if (v === undefined) return undefined;
  if (s.customType === 'ip')
    return v.length === 4
      ? formatIpv4(((v[0]! << 24) | (v[1]! << 16) | (v[2]! << 8) | v[3]!) >>> 0)
      : undefined;
  return textOption(asPacket(options), s.customOption);
}

export function bootServerFromOptions(
  options: ReadonlyMap<number, Uint8Array>,
  s: BootServerSetting,
): string | undefined {
  const o66 = (): string | undefined => textOption(asPacket(options), 66);
  switch (s.mode) {
    case 'option66':
      return o66();
    case 'custom':
      return custom(options, s);
    case 'custom+66':
      return custom(options, s) ?? o66();
    case 'static':
      return undefined;
  }
}

/** The first valid VLAN id of a DVD string in the fixed options (128, 144, 157, 191 in that order) or a custom one. */
export function vlanFromOptions(
  options: ReadonlyMap<number, Uint8Array>,
  vlan: 'off' | 'fixed' | number,
): number | undefined {
  if (vlan === 'off') return undefined;
  const codes = vlan === 'fixed' ? FIXED_VLAN_OPTIONS : [vlan];
  for (const code of codes) {
    const text = textOption(asPacket(options), code);
    if (text === undefined) continue;
    const ids = parseVlanDiscovery(text);
    if (ids.ok && ids.value.length > 0) return ids.value[0];
  }
  return undefined;
}
