/**
 * Deleting and renaming phones' uploads (FTP DELE, RNFR/RNTO): allowed only where an upload is (mayWrite,
 * the same rule for both names of a rename), and kept like an overwrite keeps: a deleted override or contact
 * file, and the old content a rename replaces, become the newest generation in .history/. A rename is one
 * rename(2) inside the data directory's upload areas, so a reader sees the old file or the new, never neither.
 */
import { mkdir, rename, stat, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import { fsyncDir } from '../shared/durable.ts';
import { err, ok, type Result } from '../shared/result.ts';
import type { TreeError, UploadTarget } from './types.ts';
import { KEEP_HISTORY, rotate } from './uploads.ts';

/** An upload target and the file on disk that holds it. */
export interface UploadFile {
  readonly target: UploadTarget;
  readonly abs: string;
}

const missing = (path: string): Result<never, TreeError> =>
  err({ code: 'TREE_NOT_FOUND', message: `no uploaded file ${path}` });
const io = (what: string, e: unknown): Result<never, TreeError> =>
  err({ code: 'TREE_IO', message: `${what} failed: ${(e as Error).message}` });

async function isFile(abs: string): Promise<boolean> {
  return stat(abs).then(
    (s) => s.isFile(),
    () => false,
  );
}

export async function deleteUploadFile(
  f: UploadFile,
  keepGenerations: number,
): Promise<Result<void, TreeError>> {
  if (!(await isFile(f.abs))) return missing(f.target.path);
  try {
    if (KEEP_HISTORY.has(f.target.kind)) await rotate(f.abs, keepGenerations);
    await unlink(f.abs);
    await fsyncDir(dirname(f.abs));
    return ok(undefined);
  } catch (e) {
    return io('delete', e);
  }
}

export async function renameUploadFile(
  from: UploadFile,
  to: UploadFile,
  keepGenerations: number,
): Promise<Result<void, TreeError>> {
  if (!(await isFile(from.abs))) return missing(from.target.path);
  if (from.target.kind !== to.target.kind) {
    return err({
      code: 'TREE_NAME_NOT_ALLOWED',
      message: `${from.target.path} is a ${from.target.kind} file, ${to.target.path} a ${to.target.kind} file`,
    });
  }
  if (from.target.mac !== to.target.mac)
    return err({
      code: 'TREE_MAC_MISMATCH',
      message: `${from.target.path} belongs to ${from.target.mac}, ${to.target.path} to ${to.target.mac}`,
    });
  if (from.abs === to.abs) return ok(undefined);
  try {
    await mkdir(dirname(to.abs), { recursive: true });
    if (KEEP_HISTORY.has(to.target.kind) && (await isFile(to.abs)))
      await rotate(to.abs, keepGenerations);
    await rename(from.abs, to.abs);
    await fsyncDir(dirname(to.abs));
    if (dirname(from.abs) !== dirname(to.abs))
      await fsyncDir(dirname(from.abs));
    return ok(undefined);
  } catch (e) {
    return io('rename', e);
  }
}
