/**
 * A file of `size` patterned bytes in a temporary folder for the length of a test file: registers a node:test
 * before hook that writes it; the folder is temp-dir.ts's, deleted when the process exits. `path()` is valid
 * once the tests run.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { before } from 'node:test';
import { tempDir } from './temp-dir.ts';

export function tempFile(
  prefix: string,
  size: number,
  byte: (i: number) => number,
): { readonly data: Buffer; path(): string } {
  const data = Buffer.alloc(size);
  for (let i = 0; i < size; i++) data[i] = byte(i) & 0xff;
  let dir = '';
  before(async () => {
    dir = tempDir(prefix);
    await writeFile(join(dir, 'image.ld'), data);
  });
  return { data, path: () => join(dir, 'image.ld') };
}
