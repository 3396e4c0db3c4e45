/**
 * Run from TypeScript source, `appliance run` starts from a warm compile cache, or replaces itself once more.
 *
 * The re-executed process (node-flags.ts) takes its type-stripped modules from Node's compile cache. When the
 * cache does not have them (the first start after a source change, or from a new checkout), Node loads its
 * TypeScript stripper (a WebAssembly module) and keeps it resident with the sources it read: in the 200-phone
 * HTTP storm such a start peaked ~20 MiB above a warm one (file-backed +5.5, anonymous +13; figures:
 * bench/results/http-storm-peak.md). So once every module of the appliance is loaded, and before any service
 * starts, a process that had to strip imports every module the appliance may load later, writes the cache and execve()s itself again (same PID, stdio and
 * signals; the kernel starts the new image's peak RSS afresh), and that one finds every module in the cache.
 * At most once (APPLIANCE_WARM marks it); the compiled image never strips, so it never does this.
 */
import { flushCompileCache } from 'node:module';

const MARK = 'APPLIANCE_WARM';

/** Whether this process has loaded Node's TypeScript stripper (internal; absent in the compiled image). */
export function strippedTypes(): boolean {
  const list = (process as { moduleLoadList?: readonly string[] })
    .moduleLoadList;
  return list?.some((m) => m.includes('internal/deps/amaro')) ?? false;
}

/**
 * Re-execute once with the compile cache written when this process had to strip (after `preload`: the
 * modules the appliance imports later, when it starts its services); else return.
 */
export async function reexecIfStripped(
  preload: () => Promise<unknown>,
): Promise<void> {
  if (process.env[MARK] !== undefined || typeof process.execve !== 'function')
    return;
  if (process.env.NODE_COMPILE_CACHE === undefined || !strippedTypes()) return;
  await preload();
  flushCompileCache();
  process.execve(
    process.execPath,
    [process.execPath, ...process.execArgv, ...process.argv.slice(1)],
    { ...process.env, [MARK]: '1' },
  );
}
