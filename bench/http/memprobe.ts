/**
 * Memory probe for the HTTP and FTP benchmarks (bench only), loaded into the appliance through NODE_OPTIONS:
 *
 *   FS_PROBE=/tmp/mp.jsonl NODE_OPTIONS="--import $PWD/bench/http/memprobe.ts" node bench/http/run.ts --rounds 2
 *
 * Only the re-executed `appliance run` process writes (NODE_OPTIONS reaches every node the benchmark starts):
 * one JSON line every 100 ms with process.memoryUsage() (MB: rss, heapTotal, heapUsed, external, arrayBuffers),
 * RssAnon / RssFile / VmHWM from /proc/self/status and V8's space sizes, so a peak reads as live heap, buffers
 * (external), memory the allocator keeps, or the mapped node binary (RssFile).
 */
import { appendFileSync, readFileSync } from 'node:fs';
import v8 from 'node:v8';
import { isMainThread } from 'node:worker_threads';

const file = process.env.FS_PROBE;
const isAppliance =
  process.argv.some((a) => a.endsWith('appliance.js')) &&
  process.env.APPLIANCE_NODE_FLAGS !== undefined;
if (file && isMainThread && isAppliance) {
  const t0 = Date.now();
  const kb = (s: string, k: string): number =>
    Number(new RegExp(`${k}:\\s+(\\d+)`).exec(s)?.[1] ?? 0);
  const mb = (n: number): number => Math.round((n / 1048576) * 10) / 10;
  const tick = (): void => {
    const m = process.memoryUsage();
    const st = readFileSync('/proc/self/status', 'utf8');
    const spaces = Object.fromEntries(
      v8
        .getHeapSpaceStatistics()
        .map((s) => [s.space_name.replace('_space', ''), mb(s.space_size)]),
    );
    appendFileSync(
      file,
      `${JSON.stringify({
        t: Date.now() - t0,
        rss: mb(m.rss),
        heapTotal: mb(m.heapTotal),
        heapUsed: mb(m.heapUsed),
        external: mb(m.external),
        arrayBuffers: mb(m.arrayBuffers),
        anon: Math.round(kb(st, 'RssAnon') / 1024),
        file: Math.round(kb(st, 'RssFile') / 1024),
        hwm: Math.round(kb(st, 'VmHWM') / 1024),
        spaces,
      })}\n`,
    );
  };
  setInterval(tick, 100).unref();
  tick();
}
