/**
 * The Node/V8 flags (and malloc setting) `appliance run` is sized for. When they are missing, `run` replaces its own process
 * with one that has them (process.execve: same PID, same stdio and signals; nothing is started before).
 *
 *   --max-semi-space-size=4   V8's young generation stays at 4 MB semi-spaces. Left alone, V8 grows it to
 *                             tens of MB under the per-request allocation of a boot storm and keeps it:
 *                             measured on the compiled appliance (DHCP, FTP, HTTP, admin), idle RSS 105 → 92 MB
 *                             and peak after 20,000 HTTP GETs + 10 s of DHCP 280–308 → 194–210 MB (=1: 192–205),
 *                             CPU within the run-to-run noise. 4 rather than 1: with 1 MB, objects alive across
 *                             a scavenge (a thousand FTP sessions' state) are promoted and the old generation
 *                             grows instead: 1,000-phone FTP storm peak 210 MB at =1, 189 at =2, 178 at =4;
 *                             TFTP storm 136 at =1, 134 at =4 (bench/results/storm.md).
 *   --heap-growing-percent=20 after a full collection the old generation may grow by 20 % before the next one
 *                             (V8 otherwise picks up to several times the live size). A thousand FTP sessions
 *                             (ftp-srv: bunyan child loggers, bluebird promises per command) promote steadily;
 *                             with V8's own factor the heap swung between 30 and 110-130 MB, and the storm's
 *                             peak RSS between 165 and 237 MB from run to run; with 20 %: 131-149 MB, heap
 *                             ≤ 53 MB. Cost: more full collections, about +20-35 % appliance CPU in that storm
 *                             (22 → 26-30 s; noisy), on a workload whose wall time the phone simulator sets.
 *
 * The new process also gets MALLOC_ARENA_MAX=2 (unless set): glibc otherwise gives each thread that allocates
 * (libuv's file-system pool writing leases, inventory and uploads) its own arena. Measured, compiled appliance
 * with the flag above, 20,000 HTTP GETs then 5 s of DHCP at 2000/s, four runs each: VmHWM 198–214 → 192–197 MB,
 * idle −1 MB, CPU unchanged (HTTP part 541–715 → 487–610 ticks).
 *
 * Run from TypeScript source (node src/cli/main.ts), the re-executed process also gets NODE_COMPILE_CACHE (unless
 * set: Node's default folder, <tmpdir>/node-compile-cache) and src/main.ts flushes it once the appliance runs: from
 * the second start on, Node takes the type-stripped modules from there and never loads its TypeScript stripper
 * (a WebAssembly module that stays resident): idle RSS from source 120–123 → 96 MB. The compiled image has nothing
 * to strip (and a V8 code cache would cost it 2–3 MB), so it gets no cache.
 *
 * A flag already on node's command line or in NODE_OPTIONS (any value) wins. The re-executed process carries
 * APPLIANCE_NODE_FLAGS (the flags it added); set beforehand to anything (e.g. 0), it turns the re-execution off.
 * Setting MALLOC_ARENA_MAX or NODE_COMPILE_CACHE yourself keeps your value.
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const RUN_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=4', '--heap-growing-percent=20'];

const MARK = 'APPLIANCE_NODE_FLAGS';
const flagName = (f: string): string => f.split('=')[0]!.replaceAll('_', '-');

/** The flags of RUN_NODE_FLAGS that neither node's command line nor NODE_OPTIONS sets. */
export function missingNodeFlags(execArgv: readonly string[], nodeOptions: string | undefined): string[] {
  const given = new Set([...execArgv, ...(nodeOptions ?? '').split(/\s+/)].filter((a) => a.startsWith('--')).map(flagName));
  return RUN_NODE_FLAGS.filter((f) => !given.has(flagName(f)));
}

/** Whether this code runs from TypeScript source (stripped by Node) rather than the compiled dist/. */
const fromSource = import.meta.url.endsWith('.ts');

/** Re-execute this process with the missing flags; returns only when there is nothing to do or no execve. */
export function reexecWithNodeFlags(): void {
  if (process.env[MARK] !== undefined || typeof process.execve !== 'function') return;
  const missing = missingNodeFlags(process.execArgv, process.env.NODE_OPTIONS);
  const env: Record<string, string> = {};
  if (process.env.MALLOC_ARENA_MAX === undefined) env.MALLOC_ARENA_MAX = '2';
  if (fromSource && process.env.NODE_COMPILE_CACHE === undefined) env.NODE_COMPILE_CACHE = join(tmpdir(), 'node-compile-cache');
  if (missing.length === 0 && Object.keys(env).length === 0) return;
  process.execve(process.execPath, [process.execPath, ...missing, ...process.execArgv, ...process.argv.slice(1)], { ...process.env, ...env, [MARK]: missing.join(' ') });
}
