/**
 * What a lease file of another DHCP server says, reduced to what the appliance asks of leases: per address the
 * phone holding it, until when, and whether the address is bound, declined (quarantined) or reclaimed. The
 * parsers (kea-csv.ts, dnsmasq-file.ts) return these; `tableOf` turns them into the LeaseTable the appliance's
 * own DHCP service keeps, with LeaseTable.apply, so the LeaseQuery over it (query.ts) is the same one.
 */
import type { Mac } from '../../../shared/mac.ts';
import { createLeaseTable, type LeaseTable } from '../table.ts';

export interface ExternalLease {
  readonly ip: number;
  /** Undefined for a declined address (Kea writes no hwaddr for it). */
  readonly mac: Mac | undefined;
  /** Milliseconds since the epoch; a far future for one that never expires (dnsmasq's 0). */
  readonly expires: number;
  readonly state: 'bound' | 'declined' | 'reclaimed';
}

export interface ParsedLeases {
  /** The last word on each address, in the order of those last lines (a later bind of a MAC wins). */
  readonly leases: readonly ExternalLease[];
  /** Lines that could not be read, skipped. */
  readonly bad: number;
}

/**
 * The lease table the records describe at `now`: bound leases bound, declined addresses quarantined until their
 * expiry, reclaimed leases kept as expired ones (they show in the lease list, nobody holds the address).
 */
export function tableOf(parsed: ParsedLeases, now: number): LeaseTable {
  const table = createLeaseTable();
  for (const l of parsed.leases) {
    if (l.state === 'declined')
      table.apply({ kind: 'decline', ip: l.ip, until: l.expires });
    else if (l.mac !== undefined)
      table.apply({
        kind: 'bind',
        ip: l.ip,
        mac: l.mac,
        expires: l.state === 'reclaimed' ? Math.min(l.expires, now) : l.expires,
      });
  }
  return table;
}

/** One address's latest record replaces any earlier one, and moves to the end (file order of last lines). */
export function supersede(
  into: Map<number, ExternalLease>,
  lease: ExternalLease,
): void {
  into.delete(lease.ip);
  into.set(lease.ip, lease);
}
