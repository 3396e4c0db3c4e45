/**
 * Hex dumps for golden files and fuzz seeds: "# comment" lines, then "0000  63 82 53 63 …" lines of 16 bytes.
 * parseHexDump ignores comments, the offset column and blank lines.
 */
import { err, ok, type Result } from '../../shared/result.ts';

export function hexDump(buf: Uint8Array, comment?: string): string {
  const lines: string[] = [];
  if (comment !== undefined)
    for (const c of comment.split('\n')) lines.push(`# ${c}`);
  for (let off = 0; off < buf.length; off += 16) {
    const row: string[] = [];
    for (let i = off; i < Math.min(off + 16, buf.length); i++)
      row.push(buf[i]!.toString(16).padStart(2, '0'));
    lines.push(`${off.toString(16).padStart(4, '0')}  ${row.join(' ')}`);
  }
  return `${lines.join('\n')}\n`;
}

export function parseHexDump(text: string): Result<Uint8Array, string> {
  const bytes: number[] = [];
  const lines = text.split('\n');
  for (let n = 0; n < lines.length; n++) {
    const line = lines[n]!.trim();
    if (line === '' || line.startsWith('#')) continue;
    const tokens = line.split(/\s+/);
    for (const t of tokens.slice(1)) {
      if (!/^[0-9a-f]{2}$/i.test(t))
        return err(`line ${n + 1}: "${t}" is not a hex byte`);
      bytes.push(parseInt(t, 16));
    }
  }
  return ok(Uint8Array.from(bytes));
}
