/**
 * DHCP option codes whose meaning Polycom phones fix: config checks, the DHCP policy and the export all
 * read them from here.
 */

/** The options Polycom phones search for a VLAN discovery (DVD) string in "Fixed" mode, in their order (facts §3). */
export const FIXED_VLAN_OPTIONS: readonly number[] = [128, 144, 157, 191];
