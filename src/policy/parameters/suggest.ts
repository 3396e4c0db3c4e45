/**
 * "Did you mean": the known names closest to a misspelt one, by edit distance (case-insensitive, bounded so a
 * far name costs little). Pure.
 */

/** Levenshtein distance of a and b, or `bound + 1` as soon as it must exceed `bound`. */
export function distance(a: string, b: string, bound: number): number {
  if (Math.abs(a.length - b.length) > bound) return bound + 1;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    let best = i;
    for (let j = 1; j <= b.length; j++) {
      const v = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a.charCodeAt(i - 1) === b.charCodeAt(j - 1) ? 0 : 1));
      row.push(v);
      if (v < best) best = v;
    }
    if (best > bound) return bound + 1;
    prev = row;
  }
  return prev[b.length]!;
}

/** Up to `most` of `known` within a third of the name's length (at least 2 edits), closest first. */
export function closest(name: string, known: Iterable<string>, most = 3): string[] {
  const bound = Math.max(2, Math.floor(name.length / 3));
  const lower = name.toLowerCase();
  const found: { name: string; d: number }[] = [];
  for (const k of known) {
    const d = distance(lower, k.toLowerCase(), bound);
    if (d <= bound) found.push({ name: k, d });
  }
  return found.sort((x, y) => x.d - y.d || x.name.localeCompare(y.name)).slice(0, most).map((x) => x.name);
}
