/**
 * Durable writes: data survives a crash or power loss once these resolve. fsyncDir makes a rename or a new
 * name in a folder durable; writeAtomic replaces a whole file so that after a crash at any point the file is
 * the old or the new version, complete (temporary file, fsync, rename over the old one, fsync the folder).
 * Used by the lease journal's compaction, the inventory file and tree uploads.
 */
import { open, readdir, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** fsync a folder, so the names created or renamed in it are on disk. */
export async function fsyncDir(dir: string): Promise<void> {
  const h = await open(dir, 'r');
  try {
    await h.sync();
  } finally {
    await h.close();
  }
}

export interface AtomicWriteOptions {
  /** Mode of the new file (default 0o666 less the umask). */
  readonly mode?: number;
  /** Runs right after the rename, before the folder fsync (the journal reopens its descriptor there). */
  readonly afterRename?: () => void;
}

/**
 * Replace `path` with `data` atomically and durably; the temporary file is removed if writing fails. `data` may
 * be pieces of text (an Iterable of strings, each written as UTF-8 in turn, so the whole text never exists at
 * once); if the iteration throws, the write fails like any other and `path` keeps its old content.
 */
export async function writeAtomic(
  path: string,
  data: string | Uint8Array | Iterable<string>,
  opts: AtomicWriteOptions = {},
): Promise<void> {
  const tmp = `${path}.tmp-${process.pid}`;
  const fh = await open(tmp, 'w', opts.mode);
  try {
    await fh.writeFile(data); // pieces: Node writes each in turn, as UTF-8
    await fh.sync();
  } catch (e) {
    await fh.close();
    await unlink(tmp).catch(() => undefined);
    throw e;
  }
  await fh.close();
  await rename(tmp, path);
  opts.afterRename?.();
  await fsyncDir(dirname(path));
}

/**
 * Remove the temporary files an interrupted writeAtomic of `path` left (kill -9, a full disk), and any of the
 * other suffixes given. Returns the names removed. Run at start, before anything writes `path`.
 */
export async function removeAtomicLeftovers(
  path: string,
  suffixes: readonly string[] = [],
): Promise<string[]> {
  const dir = dirname(path);
  const name = basename(path);
  const removed: string[] = [];
  for (const f of await readdir(dir).catch(() => [] as string[])) {
    if (!f.startsWith(`${name}.tmp-`) && !suffixes.some((s) => f === name + s))
      continue;
    if (
      await unlink(join(dir, f)).then(
        () => true,
        () => false,
      )
    )
      removed.push(f);
  }
  return removed;
}
