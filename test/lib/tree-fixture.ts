/**
 * A throw-away lab on disk for tests: a temp folder with appliance.yaml, a tftpboot/ of deterministic dummy
 * images and the traversal corpus' symlink traps, loaded into a model and a tree.
 */
import { mkdtemp, mkdir, writeFile, symlink, readFile, rm } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfigText } from '../../src/config/load.ts';
import type { ApplianceModel } from '../../src/config/model.ts';
import { createTree } from '../../src/tree/tree.ts';
import type { FileTree } from '../../src/tree/types.ts';

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

export const sha256 = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

export async function traversalCorpus(): Promise<string[]> {
  return (await readFile(join(here, '../fixtures/traversal-corpus.txt'), 'utf8')).split('\n').filter((l) => l.length > 0);
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
export async function createTreeLab(yaml: string, files: Record<string, Uint8Array | string> = {}): Promise<TreeLab> {
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
  const r = loadConfigText(yaml, yamlPath);
  if (!r.ok) throw new Error(r.error.map((i) => `${i.line}:${i.col} ${i.path}: ${i.message}`).join('\n'));
  return { dir, yamlPath, model: r.value.model, tree: createTree(r.value.model), cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** A small one-site lab used by the protocol tests; the site is served at "hq/" unless root is asked for. */
export function labYaml(o: { address?: string; protocol?: string; root?: boolean; extra?: string } = {}): string {
  const address = o.address ?? '10.90.0.1';
  const net = address.split('.').slice(0, 3).join('.');
  return `appliance: { address: ${address}, interface: eth0, tftpboot: ./tftpboot, dataDir: ./data }
firmware:
  ucs: { version: 5.9.7.4477, folder: ucs }
defaults: { firmware: ucs }
parameters: { device.set: 1 }
sites:
  hq:
    subnet: ${net}.0/24
    pool: ${net}.100-${net}.199
    bootServer: { protocol: ${o.protocol ?? 'ftp'}, path: "${o.root ? '' : 'hq'}" }
    accounts: [{ user: hqadmin, password: hq-secret-1 }]
    parameters: { reg.1.server.1.address: pbx.lab }
phones:
  "00:04:f2:80:62:d6": { site: hq, model: VVX410, parameters: { reg.1.address: "1000" } }
${o.extra ?? ''}`;
}
