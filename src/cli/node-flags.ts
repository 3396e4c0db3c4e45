/**
 * The Node/V8 flags (and malloc setting) `appliance run` is sized for. When they are missing, `run` replaces its own process
 * with one that has them (process.execve: same PID, same stdio and signals; nothing is started before).
 *
 *   --max-semi-space-size=4   keeps V8's young generation small: left alone it grows to tens of MB under a boot
 *                             storm's per-request allocation and stays there; 4 rather than 1 so that state alive
 *                             across a scavenge (a thousand FTP sessions) is not promoted to the old generation.
 *   --heap-growing-percent=20 the old generation may grow by 20 % after a full collection (V8 otherwise allows
 *                             several times the live size), trading some CPU for a steady peak RSS.
 *
 * The new process also gets MALLOC_ARENA_MAX=1 (unless set): glibc otherwise gives each allocating thread
 * (libuv's file-system pool writing leases, inventory and uploads; the TFTP engine thread) its own arena, and
 * each keeps its own high-water mark; one arena had the lower peak in the storms, 2 the lower before.
 *
 * It also gets UV_THREADPOOL_SIZE=16 (unless set). libuv's pool (4 threads by default) takes file-system calls in
 * the order they come: when uploads' file creations in one folder are slow (each waits for the folder's lock;
 * ext4 without a journal also scans for recently deleted inodes), they hold every thread, and the commits the
 * uploads' final ACKs wait for queue behind them until phones resend. An idle pool thread costs a few pages.
 *
 * Run from TypeScript source (node src/cli/main.ts), the re-executed process also gets NODE_COMPILE_CACHE (unless
 * set: Node's default folder, <tmpdir>/node-compile-cache) and src/main.ts flushes it once the appliance runs: from
 * the second start on, Node takes the type-stripped modules from there and never loads its TypeScript stripper
 * (a WebAssembly module that stays resident). The compiled image has nothing to strip, so it gets no cache.
 * Measurements behind each setting: bench/results/storm.md, "Memory settings of appliance run".
 *
 * A flag already on node's command line or in NODE_OPTIONS (any value) wins. The re-executed process carries
 * APPLIANCE_NODE_FLAGS (the flags it added); set beforehand to anything (e.g. 0), it turns the re-execution off.
 * Setting MALLOC_ARENA_MAX, UV_THREADPOOL_SIZE or NODE_COMPILE_CACHE yourself keeps your value.
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The malloc arenas `appliance run` asks glibc for (MALLOC_ARENA_MAX). */
export const RUN_MALLOC_ARENAS = '1';

/** The threads of libuv's pool `appliance run` asks for (UV_THREADPOOL_SIZE; libuv's default is 4). */
export const RUN_THREADPOOL_SIZE = '16';

export const RUN_NODE_FLAGS: readonly string[] = [
  '--max-semi-space-size=4',
  '--heap-growing-percent=20',
];

const MARK = 'APPLIANCE_NODE_FLAGS';
const flagName = (f: string): string => f.split('=')[0]!.replaceAll('_', '-');

/** The flags of RUN_NODE_FLAGS that neither node's command line nor NODE_OPTIONS sets. */
export function missingNodeFlags(
  execArgv: readonly string[],
  nodeOptions: string | undefined,
): string[] {
  const given = new Set(
    [...execArgv, ...(nodeOptions ?? '').split(/\s+/)]
      .filter((a) => a.startsWith('--'))
      .map(flagName),
  );
  return RUN_NODE_FLAGS.filter((f) => !given.has(flagName(f)));
}

/** Whether this code runs from TypeScript source (stripped by Node) rather than the compiled dist/. */
const fromSource = import.meta.url.endsWith('.ts');

/** Re-execute this process with the missing flags; returns only when there is nothing to do or no execve. */
export function reexecWithNodeFlags(): void {
  if (process.env[MARK] !== undefined || typeof process.execve !== 'function')
    return;
  const missing = missingNodeFlags(process.execArgv, process.env.NODE_OPTIONS);
  const env: Record<string, string> = {};
  if (process.env.MALLOC_ARENA_MAX === undefined)
    env.MALLOC_ARENA_MAX = RUN_MALLOC_ARENAS;
  if (process.env.UV_THREADPOOL_SIZE === undefined)
    env.UV_THREADPOOL_SIZE = RUN_THREADPOOL_SIZE;
  if (fromSource && process.env.NODE_COMPILE_CACHE === undefined)
    env.NODE_COMPILE_CACHE = join(tmpdir(), 'node-compile-cache');
  if (missing.length === 0 && Object.keys(env).length === 0) return;
  process.execve(
    process.execPath,
    [
      process.execPath,
      ...missing,
      ...process.execArgv,
      ...process.argv.slice(1),
    ],
    { ...process.env, ...env, [MARK]: missing.join(' ') },
  );
}
