/**
 * A fresh folder under the system's temporary directory, deleted with everything in it when the process exits
 * (each test file runs in its own process). Not node:test's `after`: called in a `before` hook, that would
 * delete the folder as soon as the hook returns.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const made = new Set<string>();

export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  if (made.size === 0) process.once('exit', removeAll);
  made.add(dir);
  return dir;
}

function removeAll(): void {
  for (const dir of made)
    rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
  made.clear();
}
