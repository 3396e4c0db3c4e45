/**
 * Polycom DHCP VLAN Discovery (DVD) strings, carried as text in option 128/144/157/191 or a custom option.
 * Rules (facts §3): starts with "VLAN-A=" (case-sensitive), at least one id 0-4095, ids separated by '+',
 * terminated by ';' (everything after is ignored, no white space before it), ids decimal, hex (0x0a) or octal (012).
 */
import { err, ok, type Result } from '../../shared/result.ts';

export const MAX_VLAN_ID = 4095;

/** "VLAN-A=200;" or "VLAN-A=200+300;". Ids must be integers 0-4095 (the config loader checks them first). */
export function vlanDiscovery(ids: readonly number[]): string {
  return `VLAN-A=${ids.join('+')};`;
}

/** Checks a list of ids before vlanDiscovery. */
export function checkVlanIds(
  ids: readonly number[],
): Result<readonly number[], string> {
  if (ids.length === 0)
    return err('a VLAN discovery string needs at least one VLAN id');
  for (const id of ids)
    if (!Number.isInteger(id) || id < 0 || id > MAX_VLAN_ID)
      return err(`VLAN id ${id} is not an integer in 0-${MAX_VLAN_ID}`);
  return ok(ids);
}

function parseId(tok: string): number | undefined {
  let n: number;
  if (/^0[xX][0-9a-fA-F]+$/.test(tok)) n = parseInt(tok.slice(2), 16);
  else if (/^0[0-7]+$/.test(tok)) n = parseInt(tok.slice(1), 8);
  else if (/^(0|[1-9][0-9]*)$/.test(tok)) n = parseInt(tok, 10);
  else return undefined;
  return n <= MAX_VLAN_ID ? n : undefined;
}

/** Parses a DVD string the way a phone would; returns the VLAN ids in order. */
export function parseVlanDiscovery(s: string): Result<number[], string> {
  if (!s.startsWith('VLAN-A='))
    return err('a VLAN discovery string must start with "VLAN-A="');
  const semi = s.indexOf(';', 7);
  if (semi < 0) return err('a VLAN discovery string must be terminated by ";"');
  const body = s.slice(7, semi);
  if (body.length === 0)
    return err('a VLAN discovery string needs at least one VLAN id');
  const ids: number[] = [];
  for (const tok of body.split('+')) {
    const id = parseId(tok);
    if (id === undefined)
      return err(
        `"${tok}" is not a VLAN id 0-${MAX_VLAN_ID} (decimal, 0x hex or 0 octal)`,
      );
    ids.push(id);
  }
  return ok(ids);
}
