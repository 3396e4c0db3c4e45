/**
 * A throw-away lab on disk for tests: a temp folder with appliance.yaml, a tftpboot/ of deterministic dummy
 * images and the traversal corpus' symlink traps, loaded into a model and a tree.
 */

import { createHash } from 'node:crypto';
import {
  mkdir,
  mkdtemp,
  readFile,
  rm,
  symlink,
  writeFile,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ApplianceModel } from '../../src/config/model.ts';
import { createTree } from '../../src/tree/tree.ts';
import type { FileTree } from '../../src/tree/types.ts';
import { loadLab } from './lab-yaml.ts';

const here = dirname(fileURLToPath(import.meta.url));

/** Deterministic bytes of any size (a counter hashed in blocks), so images compare by sha256. */
export function dummyImage(size: number, seed = 'image'): Buffer {
  const out = Buffer.allocUnsafe(size);
  let block = createHash('sha256').update(seed).digest();
  for (let off = 0; off < size; off += 32) {
    block = createHash('sha256').update(block).digest();
    block.copy(out, off, 0, Math.min(32, size - off));
  }
  return out;
}

export const sha256 = (b: Uint8Array): string =>
  createHash('sha256').update(b).digest('hex');

export async function traversalCorpus(): Promise<string[]> {
  return (
    await readFile(join(here, '../fixtures/traversal-corpus.txt'), 'utf8')
  )
    .split('\n')
    .filter((l) => l.length > 0);
}

export interface TreeLab {
  readonly dir: string;
  readonly yamlPath: string;
  readonly model: ApplianceModel;
  readonly tree: FileTree;
  cleanup(): Promise<void>;
}

/**
 * Write yaml (with tftpboot: ./tftpboot, dataDir: ./data expected in it) and files (path under tftpboot →
 * bytes) into a temp folder, plant the traversal traps, and load it.
 */
export async function createTreeLab(
  yaml: string,
  files: Record<string, Uint8Array | string> = {},
): Promise<TreeLab> {
  const dir = await mkdtemp(join(tmpdir(), 'appliance-'));
  const boot = join(dir, 'tftpboot');
  await mkdir(boot, { recursive: true });
  for (const [p, body] of Object.entries(files)) {
    await mkdir(dirname(join(boot, p)), { recursive: true });
    await writeFile(join(boot, p), body);
  }
  await symlink('/etc/passwd', join(boot, 'escape.cfg'));
  await symlink('/etc', join(boot, 'evil-link'));
  const yamlPath = join(dir, 'appliance.yaml');
  await writeFile(yamlPath, yaml);
  const model = loadLab(yaml, yamlPath);
  return {
    dir,
    yamlPath,
    model,
    tree: createTree(model),
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}
