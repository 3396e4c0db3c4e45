/**
 * `appliance render`: print one tree file, every file one phone would receive, or materialise the whole
 * tree into a folder (for inspection, or for feeding another server such as dnsmasq or vsftpd).
 */
import {
  copyFile,
  link,
  mkdir,
  readdir,
  stat,
  writeFile,
} from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { ApplianceModel } from '../config/model.ts';
import { redact } from '../config/secrets.ts';
import { phoneFilesFor } from '../policy/files.ts';
import { bootromsAt } from '../policy/release.ts';
import { parseMac } from '../shared/mac.ts';
import { inFolder } from '../tree/paths.ts';
import { renderTree } from '../tree/render/index.ts';
import type { FileTree } from '../tree/types.ts';

export interface Out {
  write(s: string | Uint8Array): void;
}

/** The files a phone reads, in the order it reads them (policy/files.ts), for a MAC in any spelling. */
export function phoneFiles(
  model: ApplianceModel,
  mac: string,
): { folder: string; files: string[] } | undefined {
  const m = parseMac(mac);
  return m.ok ? phoneFilesFor(model, m.value) : undefined;
}

export async function printPath(
  tree: FileTree,
  path: string,
  out: Out,
): Promise<boolean> {
  const r = await tree.read(path);
  if (!r.ok) return false;
  out.write(r.value);
  return true;
}

export async function printPhone(
  model: ApplianceModel,
  tree: FileTree,
  mac: string,
  out: Out,
): Promise<boolean> {
  const pf = phoneFiles(model, mac);
  if (!pf) return false;
  for (const name of pf.files) {
    const path = inFolder(pf.folder, name);
    const r = await tree.read(path);
    out.write(`==> ${path} <==\n`);
    out.write(r.ok ? r.value : `(${r.error.code}: ${r.error.message})\n`);
    out.write('\n');
  }
  return true;
}

/** Hard-link (or copy across file systems) every file of `from` into `to`, recursively. */
async function linkTree(from: string, to: string): Promise<number> {
  let n = 0;
  const entries = await readdir(from, { withFileTypes: true }).catch(() => []);
  for (const e of entries) {
    if (e.name.startsWith('.') || e.name === 'README.md') continue;
    const src = join(from, e.name);
    const dst = join(to, e.name);
    if (e.isDirectory()) {
      n += await linkTree(src, dst);
      continue;
    }
    if (!e.isFile()) continue;
    await mkdir(to, { recursive: true });
    if (
      await stat(dst).then(
        () => true,
        () => false,
      )
    )
      continue;
    await link(src, dst).catch(() => copyFile(src, dst));
    n++;
  }
  return n;
}

/** Materialise the tree (resolved secrets in `hide` overwritten by asterisks): rendered files, and tftpboot/ under every site folder (as the tree serves it). */
export async function renderOut(
  model: ApplianceModel,
  dir: string,
  hide: readonly string[] = [],
): Promise<{ rendered: number; linked: number }> {
  const r = renderTree(model);
  for (const [path, f] of r.files) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(
      join(dir, path),
      hide.length > 0 ? redact(f.body, hide) : f.body,
    );
  }
  let linked = 0;
  for (const folder of r.folders.keys())
    linked += await linkTree(model.tftpboot, join(dir, folder));
  // bootROMs are asked for at the site folder's root; the tree maps them to the model's release folder.
  for (const [folder, siteName] of r.folders) {
    for (const { release, file } of bootromsAt(model, siteName)) {
      const dst = join(dir, folder, file);
      if (
        await stat(dst).then(
          () => true,
          () => false,
        )
      )
        continue;
      if (
        await link(join(release.dir, file), dst).then(
          () => true,
          () => false,
        )
      )
        linked++;
    }
  }
  return { rendered: r.files.size, linked };
}
