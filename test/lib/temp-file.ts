/**
 * A file of `size` patterned bytes in a temporary folder for the length of a test file: registers node:test
 * before/after hooks that write it and delete the folder. `path()` is valid once the tests run.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before } from 'node:test';

export function tempFile(
  prefix: string,
  size: number,
  byte: (i: number) => number,
): { readonly data: Buffer; path(): string } {
  const data = Buffer.alloc(size);
  for (let i = 0; i < size; i++) data[i] = byte(i) & 0xff;
  let dir = '';
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), prefix));
    await writeFile(join(dir, 'image.ld'), data);
  });
  after(() => rm(dir, { recursive: true, force: true }));
  return { data, path: () => join(dir, 'image.ld') };
}
