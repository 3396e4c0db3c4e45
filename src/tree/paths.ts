/**
 * Path safety, in exactly one place, for every protocol: a raw request path becomes a normalised tree path
 * ("hq/000000000000.cfg") or TREE_BAD_PATH. Refused: "..", ".", hidden names, backslashes, percent-encoding,
 * NUL and other control characters, drive letters, over-long paths. One leading "/" is the tree's root
 * (HTTP and FTP paths are absolute from the phone's view), so "/etc/passwd" is just a missing tree file.
 */
import type { Result } from '../shared/result.ts';
import type { TreeError } from './types.ts';

const MAX_PATH = 1024;
const MAX_SEGMENT = 255;
const SEGMENT = /^[A-Za-z0-9_+@=,~()[\]-][A-Za-z0-9._+@=,~()[\] -]*$/;

const bad = (message: string): { ok: false; error: TreeError } => ({
  ok: false,
  error: { code: 'TREE_BAD_PATH', message },
});

export function normalizePath(raw: string): Result<string, TreeError> {
  if (typeof raw !== 'string') return bad('path is not text');
  if (raw.length > MAX_PATH) return bad('path too long');
  // eslint-disable-next-line no-control-regex
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this refuses
  if (/[\u0000-\u001f\u007f]/.test(raw))
    return bad('control character in path');
  if (raw.includes('\\')) return bad('backslash in path');
  if (raw.includes('%')) return bad('percent-encoding in path');
  if (/^[A-Za-z]:/.test(raw)) return bad('drive letter in path');
  let p = raw.startsWith('/') ? raw.slice(1) : raw;
  if (p.startsWith('/')) return bad('absolute path');
  if (p.endsWith('/')) p = p.slice(0, -1);
  if (p === '') return { ok: true, value: '' };
  const segments = p.split('/');
  for (const s of segments) {
    if (s === '') return bad('empty path segment');
    if (s === '.' || s === '..') return bad('relative segment in path');
    if (s.length > MAX_SEGMENT) return bad('path segment too long');
    if (!SEGMENT.test(s))
      return bad(
        s.startsWith('.')
          ? 'hidden name in path'
          : 'character not allowed in path',
      );
  }
  return { ok: true, value: segments.join('/') };
}

/** Is `child` (a resolved real path) inside `root` (a resolved real path)? */
export const isInside = (root: string, child: string): boolean =>
  child === root || child.startsWith(root.endsWith('/') ? root : `${root}/`);

/** A file name inside a site folder ("" is the root). */
export const inFolder = (folder: string, name: string): string =>
  folder ? `${folder}/${name}` : name;
