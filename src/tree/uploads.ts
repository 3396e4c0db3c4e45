/**
 * The one upload path for TFTP, FTP and HTTP: bytes go to a temporary file beside the target, the size cap
 * is enforced as they arrive, and commit() makes the file durable, keeps the previous generations of
 * override and contact files (.history/<name>.1 … .N), renames the new file into place and makes the folder
 * durable: both through a sync group (shared/sync-group.ts), so uploads finishing at the same moment share
 * one round. commit() resolves only after both (the TFTP final ACK waits for it). A crash, a failed sync or a
 * dropped connection before commit() leaves the previous file exactly as it was.
 */

import { randomBytes } from 'node:crypto';
import {
  type FileHandle,
  link,
  mkdir,
  open,
  readdir,
  rename,
  unlink,
} from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { err, ok, type Result } from '../shared/result.ts';
import { fsyncEach, type SyncGroup } from '../shared/sync-group.ts';
import type { TreeError, Upload, UploadTarget } from './types.ts';

export const KEEP_HISTORY: ReadonlySet<string> = new Set([
  'override',
  'contacts',
]);

/** Keep `file` (when it exists) as .history/<name>.1, shifting older generations up to `keep`. */
export async function rotate(file: string, keep: number): Promise<void> {
  if (keep <= 0) return;
  const hist = join(dirname(file), '.history');
  await mkdir(hist, { recursive: true });
  const name = basename(file);
  for (let g = keep - 1; g >= 1; g--) {
    await rename(
      join(hist, `${name}.${g}`),
      join(hist, `${name}.${g + 1}`),
    ).catch(() => undefined);
  }
  // A hard link, not a rename: the live file stays in place until rename(temp, file) replaces it atomically.
  await unlink(join(hist, `${name}.1`)).catch(() => undefined);
  await link(file, join(hist, `${name}.1`)).catch(() => undefined);
}

/**
 * Commits of one file, one at a time: rotating .history and renaming into place are several steps, and two
 * uploads of the same name committing at once would otherwise leave gaps or lose a generation.
 */
const committing = new Map<string, Promise<unknown>>();
function serialized<T>(file: string, job: () => Promise<T>): Promise<T> {
  const run = (committing.get(file) ?? Promise.resolve()).then(job, job);
  const tail = run.catch(() => undefined);
  committing.set(file, tail);
  void tail.then(() => {
    if (committing.get(file) === tail) committing.delete(file);
  });
  return run;
}

/** Previous generations of an uploaded file, newest first (for undoing an accidental reset). */
export async function generations(file: string): Promise<string[]> {
  const hist = join(dirname(file), '.history');
  const name = basename(file);
  const all = await readdir(hist).catch(() => [] as string[]);
  return all
    .filter(
      (f) => f.startsWith(`${name}.`) && /^\d+$/.test(f.slice(name.length + 1)),
    )
    .sort(
      (a, b) =>
        Number(a.slice(name.length + 1)) - Number(b.slice(name.length + 1)),
    )
    .map((f) => join(hist, f));
}

/** The temporary file name of an upload of `name` (random suffix), and the pattern every such name has. */
const partName = (name: string): string =>
  `.${name}.${randomBytes(6).toString('hex')}.part`;
const PART = /^\..+\.[0-9a-f]{12}\.part$/;

/**
 * Remove the temporary files of uploads that never finished (kill -9, power loss): under
 * <uploads>/<site>/<area>/. Run at start, before any service takes uploads. Returns the paths removed.
 */
export async function removeStaleParts(uploadsRoot: string): Promise<string[]> {
  const removed: string[] = [];
  for (const site of await readdir(uploadsRoot).catch(() => [] as string[])) {
    for (const area of await readdir(join(uploadsRoot, site)).catch(
      () => [] as string[],
    )) {
      const dir = join(uploadsRoot, site, area);
      for (const f of await readdir(dir).catch(() => [] as string[])) {
        if (
          PART.test(f) &&
          (await unlink(join(dir, f)).then(
            () => true,
            () => false,
          ))
        )
          removed.push(join(dir, f));
      }
    }
  }
  return removed;
}

export async function beginDiskUpload(
  target: UploadTarget,
  file: string,
  keepGenerations: number,
  durable: SyncGroup = fsyncEach(),
): Promise<Result<Upload, TreeError>> {
  const dir = dirname(file);
  const temp = join(dir, partName(basename(file)));
  let handle: FileHandle;
  try {
    await mkdir(dir, { recursive: true });
    await durable.prepare(dir);
    handle = await open(temp, 'wx', 0o640);
  } catch (e) {
    return err({
      code: 'TREE_IO',
      message: `cannot create upload file: ${(e as Error).message}`,
    });
  }
  let bytes = 0;
  let state: 'open' | 'done' = 'open';
  const discard = async (): Promise<void> => {
    if (state === 'done') return;
    state = 'done';
    await handle.close().catch(() => undefined);
    await unlink(temp).catch(() => undefined);
  };
  return ok({
    target,
    async write(chunk) {
      if (state !== 'open')
        return err({ code: 'TREE_IO', message: 'upload already finished' });
      if (bytes + chunk.byteLength > target.maxBytes) {
        await discard();
        return err({
          code: 'TREE_TOO_LARGE',
          message: `upload larger than ${target.maxBytes} bytes allowed for ${target.kind} files`,
        });
      }
      try {
        await handle.write(chunk);
        bytes += chunk.byteLength;
        return ok(undefined);
      } catch (e) {
        await discard();
        return err({
          code: 'TREE_IO',
          message: `write failed: ${(e as Error).message}`,
        });
      }
    },
    async commit() {
      if (state !== 'open')
        return err({ code: 'TREE_IO', message: 'upload already finished' });
      state = 'done';
      try {
        // Data durable before the rename, the rename durable before commit() resolves.
        await durable.sync({ dir, handle });
        await handle.close();
        await serialized(file, async () => {
          if (KEEP_HISTORY.has(target.kind))
            await rotate(file, keepGenerations);
          await rename(temp, file);
          await durable.sync({ dir });
        });
        return ok({ bytes });
      } catch (e) {
        await handle.close().catch(() => undefined);
        await unlink(temp).catch(() => undefined);
        return err({
          code: 'TREE_IO',
          message: `commit failed: ${(e as Error).message}`,
        });
      }
    },
    abort: discard,
  });
}
