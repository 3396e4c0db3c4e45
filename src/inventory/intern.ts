/**
 * Shared copies of the strings timelines repeat: a DHCP entry's "REQUEST→ACK", a file name, a phone's address.
 * Each event brings its own copy (decoded from the packet, or concatenated); a timeline entry keeps the one
 * copy seen first instead, so 1,000 phones × 300 entries do not hold 300,000 copies of a few thousand strings.
 * The table is bounded: past `max` different strings it starts again (strings already shared stay shared).
 */
export type Interner = (s: string) => string;

export function createInterner(max = 100_000): Interner {
  const table = new Map<string, string>();
  return (s) => {
    const had = table.get(s);
    if (had !== undefined) return had;
    if (table.size >= max) table.clear();
    // A property key is V8's flat, internalised form of the string (a concatenation would keep its parts).
    const flat = Object.keys({ [s]: 0 })[0] ?? s;
    table.set(flat, flat);
    return flat;
  };
}
