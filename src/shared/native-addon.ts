/**
 * Loads one of the appliance's small N-API addons (C files beside the TypeScript that uses it),
 * compiling it on first use with the system C compiler against Node's own headers (<node>/include/node,
 * shipped with every Node build; no node-gyp, no download). The result is cached by source hash under
 * node_modules/.cache/appliance-native/ (or APPLIANCE_NATIVE_DIR, where the image keeps the addons it built)
 * and written atomically (temp file + rename), so parallel starts never load a half-written file.
 */

import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  rmSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join } from 'node:path';
import { err, ok, type Result } from './result.ts';

function packageRoot(from: string): string {
  let dir = from;
  for (;;) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    const up = dirname(dir);
    if (up === dir) return from;
    dir = up;
  }
}

function nodeIncludeDir(): string | undefined {
  const candidates = [
    process.env.APPLIANCE_NODE_INCLUDE,
    join(dirname(dirname(process.execPath)), 'include', 'node'),
    '/usr/include/node',
  ];
  return candidates.find(
    (d): d is string => d !== undefined && existsSync(join(d, 'node_api.h')),
  );
}

/**
 * Compile (if needed) and load the addon whose C source is `src` (it names the addon); `flags` are extra
 * compiler flags (e.g. -pthread); `parts` are its other files: .c files compiled with it, headers only
 * hashed (any change rebuilds). An error says what is missing (compiler, headers).
 */
export function loadAddon<T>(
  src: string,
  flags: readonly string[] = [],
  parts: readonly string[] = [],
): Result<T, string> {
  const name = basename(src, '.c');
  const hasher = createHash('sha256');
  for (const f of [src, ...parts]) {
    try {
      hasher.update(readFileSync(f)).update(basename(f));
    } catch (e) {
      return err(`cannot read ${f}: ${(e as Error).message}`);
    }
  }
  const sources = [src, ...parts.filter((f) => f.endsWith('.c'))];
  const hash = hasher
    .update(flags.join(' '))
    .update(process.versions.napi ?? '')
    .digest('hex')
    .slice(0, 12);
  const dir =
    process.env.APPLIANCE_NATIVE_DIR ??
    join(
      packageRoot(dirname(src)),
      'node_modules',
      '.cache',
      'appliance-native',
    );
  const out = join(dir, `${name}-${hash}.node`);
  if (!existsSync(out)) {
    const inc = nodeIncludeDir();
    if (!inc)
      return err(
        'Node headers (node_api.h) not found next to the node binary; set APPLIANCE_NODE_INCLUDE',
      );
    const tmp = `${out}.${process.pid}.tmp`;
    try {
      mkdirSync(dir, { recursive: true });
      execFileSync(
        process.env.CC ?? 'cc',
        ['-O2', '-shared', '-fPIC', ...flags, '-I', inc, ...sources, '-o', tmp],
        { stdio: 'pipe', timeout: 60_000 },
      );
      renameSync(tmp, out);
    } catch (e) {
      rmSync(tmp, { force: true });
      const stderr = (e as { stderr?: Buffer }).stderr?.toString() ?? '';
      return err(
        `cannot build the ${name} addon (needs a C compiler: apt-get install gcc libc6-dev): ${(e as Error).message} ${stderr}`.trim(),
      );
    }
  }
  try {
    return ok(createRequire(import.meta.url)(out) as T);
  } catch (e) {
    return err(`cannot load ${out}: ${(e as Error).message}`);
  }
}
