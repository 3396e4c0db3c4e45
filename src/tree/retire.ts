/**
 * Retire an uploaded file: the live file becomes generation 1 of its .history (the older ones move up one,
 * beyond `keep` they go), so `appliance overrides --clear` can be undone by copying it back.
 */
import { mkdir, rename, unlink, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { fsyncDir } from '../shared/durable.ts';
import { generations } from './uploads.ts';

/** false when there is no such file. */
export async function retireUpload(file: string, keep: number): Promise<boolean> {
  if (!(await stat(file).then((s) => s.isFile(), () => false))) return false;
  const hist = join(dirname(file), '.history');
  await mkdir(hist, { recursive: true });
  const name = basename(file);
  const limit = Math.max(1, keep);
  for (const old of (await generations(file)).reverse()) {
    const n = Number(old.slice(old.lastIndexOf('.') + 1));
    if (n >= limit) await unlink(old);
    else await rename(old, join(hist, `${name}.${n + 1}`));
  }
  await rename(file, join(hist, `${name}.1`));
  await fsyncDir(dirname(file));
  return true;
}
