/**
 * dnsmasq's lease file (`dhcp-leasefile=`) → ExternalLease records. One line per lease,
 * `<expiry epoch> <mac> <ip> <hostname> <client-id>` (expiry 0 = never expires; hostname and client id "*"
 * when unknown); dnsmasq rewrites the whole file on every change. A "duid" line and IPv6 leases (DHCPv6) are
 * not ours and are passed over; a MAC of another hardware type ("6-…") names no phone. Total: a line that
 * cannot be read is counted and skipped; nothing throws.
 */
import { parseIpv4 } from '../../../shared/ipv4.ts';
import { parseMac } from '../../../shared/mac.ts';
import { type ExternalLease, type ParsedLeases, supersede } from './records.ts';

/** dnsmasq's 0 (an infinite lease): the last millisecond a Date can hold, so it stays a number in JSON. */
export const NEVER = 8.64e15;

export function parseDnsmasqLeases(text: string): ParsedLeases {
  const by = new Map<number, ExternalLease>();
  let bad = 0;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '') continue;
    const [expiry = '', hw = '', address = ''] = line.split(/\s+/);
    if (expiry === 'duid') continue;
    if (!/^\d+$/.test(expiry) || address === '') {
      bad++;
      continue;
    }
    if (address.includes(':')) continue; // DHCPv6: the second field is an IAID, not a MAC
    const ip = parseIpv4(address);
    if (!ip.ok) {
      bad++;
      continue;
    }
    if (/^\d+-/.test(hw)) continue; // not Ethernet: dnsmasq writes <hwtype>-<address>
    const mac = parseMac(hw);
    if (!mac.ok) {
      bad++;
      continue;
    }
    supersede(by, {
      ip: ip.value,
      mac: mac.value,
      expires: expiry === '0' ? NEVER : Number(expiry) * 1000,
      state: 'bound',
    });
  }
  return { leases: [...by.values()], bad };
}
