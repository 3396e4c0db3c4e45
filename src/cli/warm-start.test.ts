import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { runModuleScript } from '../../test/lib/module-script.ts';

/**
 * A start of `script` (as `appliance run` does: its modules, then reexecIfStripped with the modules it loads
 * later as preload, then those): what the process that was not replaced saw.
 */
async function start(
  cache: string,
  late: string,
): Promise<{ stripped: boolean; strippedLate: boolean; mark: string | null }> {
  const script = `
    import { reexecIfStripped, strippedTypes } from ${JSON.stringify(new URL('./warm-start.ts', import.meta.url).href)};
    const late = ${JSON.stringify(pathToFileURL(late).href)};
    const before = { stripped: strippedTypes(), mark: process.env.APPLIANCE_WARM ?? null };
    await reexecIfStripped(() => import(late));
    await import(late);
    console.log(JSON.stringify({ pid: process.pid, ...before, strippedLate: strippedTypes() }));`;
  const env: NodeJS.ProcessEnv = { ...process.env, NODE_COMPILE_CACHE: cache };
  delete env.APPLIANCE_WARM;
  const { pid: childPid, out } = await runModuleScript(script, env);
  const { pid, ...r } = JSON.parse(out);
  assert.equal(pid, childPid, 'the same process (execve), not a child');
  return r;
}

test('reexecIfStripped: a start that had to strip types caches what it loads and what it loads later, and replaces itself once; the new image strips nothing', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'warm-start-'));
  try {
    const late = join(dir, 'late.ts');
    await writeFile(late, 'export const n: number = 1;\n');
    const cache = join(dir, 'cache');
    // Cold cache: replaced once (the mark), and the new image strips neither its modules nor the late one.
    assert.deepEqual(await start(cache, late), {
      stripped: false,
      strippedLate: false,
      mark: '1',
    });
    // Warm cache: nothing stripped, nothing re-executed.
    assert.deepEqual(await start(cache, late), {
      stripped: false,
      strippedLate: false,
      mark: null,
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
