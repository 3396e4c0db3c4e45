/** Plain-text tables for the terminal: left-aligned columns, two spaces apart, numbers right-aligned. */
export function formatTable(
  headers: readonly string[],
  rows: readonly (readonly (string | number | undefined)[])[],
): string {
  const cells = rows.map((r) =>
    headers.map((_, i) => {
      const v = r[i];
      return v === undefined ? '-' : String(v);
    }),
  );
  const numeric = headers.map(
    (_, i) =>
      rows.length > 0 &&
      rows.every((r) => typeof r[i] === 'number' || r[i] === undefined),
  );
  const width = headers.map((h, i) =>
    Math.max(h.length, ...cells.map((c) => c[i]!.length)),
  );
  const line = (c: readonly string[]): string =>
    c
      .map((v, i) => (numeric[i] ? v.padStart(width[i]!) : v.padEnd(width[i]!)))
      .join('  ')
      .trimEnd();
  return `${[line(headers), ...cells.map(line)].join('\n')}\n`;
}

export const shortTime = (
  ms: number | undefined,
  now = Date.now(),
): string | undefined => {
  if (ms === undefined) return undefined;
  const s = Math.round((now - ms) / 1000);
  if (s < 0) return new Date(ms).toISOString().slice(0, 16).replace('T', ' ');
  return s < 120
    ? `${s}s ago`
    : s < 7200
      ? `${Math.round(s / 60)}m ago`
      : s < 172800
        ? `${Math.round(s / 3600)}h ago`
        : new Date(ms).toISOString().slice(0, 10);
};
