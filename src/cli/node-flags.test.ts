import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { runModuleScript } from '../../test/lib/module-script.ts';
import {
  missingNodeFlags,
  RUN_NODE_FLAGS,
  RUN_THREADPOOL_SIZE,
} from './node-flags.ts';

test('missingNodeFlags: a flag set on the command line or in NODE_OPTIONS, with any value or spelling, is not added', () => {
  assert.deepEqual(missingNodeFlags([], undefined), [...RUN_NODE_FLAGS]);
  assert.deepEqual(
    missingNodeFlags(['--import', 'x.mjs'], '--enable-source-maps'),
    [...RUN_NODE_FLAGS],
  );
  assert.deepEqual(missingNodeFlags(['--max-semi-space-size=16'], undefined), [
    '--heap-growing-percent=20',
  ]);
  assert.deepEqual(
    missingNodeFlags(
      ['--max_semi_space_size=4', '--heap_growing_percent=50'],
      undefined,
    ),
    [],
  );
  assert.deepEqual(
    missingNodeFlags(
      [],
      ' --max-semi-space-size=8  --trace-gc --heap-growing-percent=30',
    ),
    [],
  );
  assert.deepEqual(missingNodeFlags(['--heap-growing-percent=30'], undefined), [
    '--max-semi-space-size=4',
  ]);
});

test('reexecWithNodeFlags: the process is replaced (same PID) with the flags, MALLOC_ARENA_MAX=1 and a pool of 16 threads added (and, from source, the compile cache), once', async () => {
  // After one file-system call, the pool's threads are counted by name in /proc/self/task.
  const script = `
    import { reexecWithNodeFlags } from ${JSON.stringify(new URL('./node-flags.ts', import.meta.url).href)};
    import { readdirSync, readFileSync } from 'node:fs';
    import { stat } from 'node:fs/promises';
    const before = process.env.APPLIANCE_NODE_FLAGS;
    reexecWithNodeFlags();
    await stat('.');
    const poolThreads = readdirSync('/proc/self/task').filter((t) => readFileSync('/proc/self/task/' + t + '/comm', 'utf8').trim() === 'libuv-worker').length;
    console.log(JSON.stringify({ pid: process.pid, execArgv: process.execArgv, mark: before ?? null, cache: process.env.NODE_COMPILE_CACHE ?? null, arenas: process.env.MALLOC_ARENA_MAX ?? null, poolThreads }));`;
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['--input-type=module', '-e', script],
    { env: { ...process.env, APPLIANCE_NODE_FLAGS: '', NODE_OPTIONS: '' } },
  );
  // APPLIANCE_NODE_FLAGS set (even empty) turns it off: nothing re-executed.
  assert.deepEqual(
    JSON.parse(stdout).execArgv.filter((a: string) =>
      a.startsWith('--max-semi'),
    ),
    [],
  );
  const env: NodeJS.ProcessEnv = { ...process.env, NODE_OPTIONS: '' };
  delete env.APPLIANCE_NODE_FLAGS;
  delete env.NODE_COMPILE_CACHE;
  delete env.MALLOC_ARENA_MAX;
  delete env.UV_THREADPOOL_SIZE;
  const { pid, out } = await runModuleScript(script, env);
  const r = JSON.parse(out) as {
    pid: number;
    execArgv: string[];
    mark: string | null;
    cache: string | null;
    arenas: string | null;
    poolThreads: number;
  };
  assert.equal(r.pid, pid);
  assert.deepEqual(r.execArgv.slice(0, RUN_NODE_FLAGS.length), [
    ...RUN_NODE_FLAGS,
  ]);
  assert.equal(r.mark, RUN_NODE_FLAGS.join(' '));
  // Run from TypeScript source, the new process keeps its type-stripped modules in Node's compile cache.
  assert.equal(r.cache, join(tmpdir(), 'node-compile-cache'));
  assert.equal(r.arenas, '1');
  assert.equal(r.poolThreads, Number(RUN_THREADPOOL_SIZE));
});
