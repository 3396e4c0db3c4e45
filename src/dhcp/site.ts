/**
 * Which site a request belongs to (RFC 2131 §4.3.1 "subnet from which the message was received"):
 * relayed (giaddr set): the site whose subnet holds giaddr, or that lists giaddr among its relays;
 * direct: the site whose subnet holds the appliance's own address.
 */
import type { ApplianceModel, Site } from '../config/model.ts';
import { inCidr, parseIpv4 } from '../shared/ipv4.ts';

export function siteFor(
  model: ApplianceModel,
  giaddr: number,
  serverIp: number,
): Site | undefined {
  if (giaddr !== 0) {
    for (const s of model.sites.values())
      if (inCidr(s.subnet, giaddr)) return s;
    for (const s of model.sites.values()) {
      for (const r of s.relays) {
        const n = parseIpv4(r);
        if (n.ok && n.value === giaddr) return s;
      }
    }
    return undefined;
  }
  for (const s of model.sites.values())
    if (inCidr(s.subnet, serverIp)) return s;
  return undefined;
}
