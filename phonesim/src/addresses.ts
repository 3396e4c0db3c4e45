/**
 * Leased addresses added to the phones' interface (as /32, no prefix route), so each phone's transfers leave from
 * its own address and the server sees one address per phone. Done by a netlink request of the small addon
 * addresses.c (the same request as `ip addr add A/32 dev IF noprefixroute`), not a process per phone.
 */
import { constants } from 'node:os';
import { join } from 'node:path';
import { loadAddon } from '../../src/shared/native-addon.ts';

interface Addon {
  add(ifname: string, address: string): number;
}

let addon: Addon | undefined;

/**
 * A function that adds an address once (the address, or undefined when the kernel refused it); throws here when
 * the addon cannot be built (no C compiler).
 */
export function addressAssigner(
  iface: string,
): (address: string) => Promise<string | undefined> {
  if (!addon) {
    const a = loadAddon<Addon>(join(import.meta.dirname, 'addresses.c'));
    if (!a.ok) throw new Error(a.error);
    addon = a.value;
  }
  const add = addon.add;
  const done = new Map<string, string | undefined>();
  return async (address) => {
    if (done.has(address)) return done.get(address);
    const rc = add(iface, address);
    // An address already there (an earlier boot of the same phone) is as good as a new one.
    const r = rc === 0 || rc === constants.errno.EEXIST ? address : undefined;
    done.set(address, r);
    return r;
  };
}
