/**
 * FTP path arithmetic only: joining a command argument to the working directory. Safety is not decided
 * here: the joined text goes to tree.normalize as-is, so "..", backslashes, NUL … are refused by the tree.
 * CWD/CDUP are the one exception: ".." there is directory navigation, resolved against the (already
 * validated) working directory and clamped at the root, and the result is again checked by the tree.
 */

/** The raw tree path for a file command's argument ("x.cfg", "/hq/x.cfg", ".", undefined). */
export function joinArg(cwd: string, arg: string | null | undefined): string {
  const a = arg ?? '';
  if (a === '' || a === '.' || a === './') return cwd;
  if (a.startsWith('/')) return a;
  return cwd === '/' ? `/${a}` : `${cwd}/${a}`;
}

/** LIST/NLST arguments that are ls flags ("-la", "-a") name no path. */
export function listArg(arg: string | null | undefined): string | undefined {
  if (arg === null || arg === undefined) return undefined;
  const parts = arg
    .split(' ')
    .filter((p) => p !== '' && !/^-[A-Za-z]+$/.test(p));
  return parts.length === 0 ? undefined : parts.join(' ');
}

/** The target of CWD: ".." pops a level (never above "/"), other segments are appended raw. */
export function resolveCwd(
  cwd: string,
  arg: string | null | undefined,
): string {
  const a = arg ?? '/';
  const parts = a.startsWith('/') ? [] : cwd.split('/').filter((s) => s !== '');
  const rest = a.startsWith('/') ? a.slice(1) : a;
  for (const seg of rest.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') parts.pop();
    else parts.push(seg);
  }
  return `/${parts.join('/')}`;
}

/** The client's view of a normalised tree path ("hq/x.cfg" → "/hq/x.cfg"). */
export const clientPath = (treePath: string): string => `/${treePath}`;
