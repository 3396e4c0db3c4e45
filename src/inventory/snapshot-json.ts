/**
 * The inventory file's JSON in pieces of about PIECE_CHARS characters: their concatenation is byte for byte
 * JSON.stringify(snapshot), but no string of the whole file is ever built (10,000 phones with full timelines
 * are tens of MB, as UTF-16 because of the "→" in DHCP entries, plus their UTF-8 copy). The top-level object
 * and its arrays (phones, errors) are walked here; each element is JSON.stringify'd whole, so one phone is
 * serialised at one instant. The pieces are made as they are asked for: a writer that awaits between them
 * sees phones as they are when their piece is made.
 */
import type { InventorySnapshot } from './inventory.ts';

export const PIECE_CHARS = 64 * 1024;

/** The JSON text of `snapshot` as consecutive pieces (each at least `pieceChars` long, except the last). */
export function* snapshotJson(
  snapshot: InventorySnapshot,
  pieceChars = PIECE_CHARS,
): Generator<string, void, undefined> {
  let parts: string[] = [];
  let size = 0;
  /** Queue s; hand out the queued text once it reaches the piece size. */
  const add = (s: string): string | undefined => {
    parts.push(s);
    size += s.length;
    if (size < pieceChars) return undefined;
    const piece = parts.join('');
    parts = [];
    size = 0;
    return piece;
  };
  let out: string | undefined;
  let first = true;
  for (const [key, value] of Object.entries(snapshot)) {
    if (Array.isArray(value)) {
      // JSON.stringify writes an array element that has no JSON form (undefined, a function) as null.
      out = add(`${first ? '{' : ','}${JSON.stringify(key)}:[`);
      if (out !== undefined) yield out;
      for (let i = 0; i < value.length; i++) {
        out = add(`${i === 0 ? '' : ','}${JSON.stringify(value[i]) ?? 'null'}`);
        if (out !== undefined) yield out;
      }
      out = add(']');
    } else {
      const json = JSON.stringify(value);
      if (json === undefined) continue; // as JSON.stringify, a member without a JSON form is left out
      out = add(`${first ? '{' : ','}${JSON.stringify(key)}:${json}`);
    }
    first = false;
    if (out !== undefined) yield out;
  }
  out = add(first ? '{}' : '}');
  if (out !== undefined) yield out;
  if (size > 0) yield parts.join('');
}
