/**
 * Starts a worker thread on a TypeScript module without loading Node's type stripper in the worker.
 *
 * Running .ts directly, every isolate that loads one compiles its own copy of the stripper (a WebAssembly
 * module): measured ~13 MB resident per worker, paid for as long as the worker lives. Here the service
 * thread (which has stripped its own modules anyway) strips the worker's module graph once, and the worker
 * starts from a few lines of JavaScript that register a load hook answering those URLs with the stripped
 * source. A built (.js) worker is started as it is.
 */
import { readFileSync } from 'node:fs';
import { stripTypeScriptTypes } from 'node:module';
import { fileURLToPath } from 'node:url';
import { Worker, type WorkerOptions } from 'node:worker_threads';

/** Runs in the worker (CommonJS, eval): serve the stripped sources, then import the entry module. */
const BOOT = `
const { registerHooks } = require('node:module');
const { workerData } = require('node:worker_threads');
const sources = workerData.sources;
registerHooks({
  load(url, context, next) {
    const source = sources[url];
    return source === undefined ? next(url, context) : { format: 'module', source, shortCircuit: true };
  },
});
import(workerData.entry);
`;

/** Relative module specifiers of a source file (type-only imports included: they are never loaded). */
const relativeImports = (source: string): string[] =>
  [...source.matchAll(/(?:from|import)\s*\(?\s*'(\.\.?\/[^']+\.ts)'/g)].map((m) => m[1]!);

/** Every .ts module reachable from entry by relative imports, stripped, by file URL. */
export function strippedGraph(entry: URL): Record<string, string> {
  const out: Record<string, string> = {};
  const todo = [entry];
  while (todo.length > 0) {
    const url = todo.pop()!;
    if (url.href in out) continue;
    let source: string;
    try { source = readFileSync(fileURLToPath(url), 'utf8'); } catch { continue; } // Node reports it if it is loaded
    out[url.href] = stripTypeScriptTypes(source);
    for (const spec of relativeImports(source)) todo.push(new URL(spec, url));
  }
  return out;
}

export function startWorker(entry: URL, sources: Record<string, string> | undefined, options: WorkerOptions = {}): Worker {
  if (!entry.pathname.endsWith('.ts') || sources === undefined) return new Worker(entry, options);
  return new Worker(BOOT, { ...options, eval: true, workerData: { sources, entry: entry.href } });
}
