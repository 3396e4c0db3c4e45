/**
 * Memory probe for the storm benchmark (bench only): loaded into the appliance with `node --import`, it
 * appends one JSON line every 500 ms to $STORM_MEMPROBE with process.memoryUsage() of the main thread
 * (rss, heapTotal, heapUsed, external, arrayBuffers) and RssAnon / RssFile from /proc/self/status, so a
 * storm shows whether RSS is live JS heap, retained buffers, or memory the allocator has not returned.
 */
import { appendFileSync, readFileSync } from 'node:fs';
import { getHeapSpaceStatistics, writeHeapSnapshot } from 'node:v8';
import { isMainThread } from 'node:worker_threads';

const file = process.env.STORM_MEMPROBE;
if (file && isMainThread) {
  const t0 = Date.now();
  const kb = (s: string, k: string): number =>
    Number(new RegExp(`${k}:\\s+(\\d+)`).exec(s)?.[1] ?? 0);
  setInterval(() => {
    const m = process.memoryUsage();
    const st = readFileSync('/proc/self/status', 'utf8');
    const mb = (n: number): number => Math.round(n / 1048576);
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
        threads: kb(st, 'Threads'),
        // Each V8 space's live and committed size (MiB): which one grows.
        spaces: Object.fromEntries(
          getHeapSpaceStatistics().map((x) => [
            x.space_name.replace('_space', ''),
            [mb(x.space_used_size), mb(x.physical_space_size)],
          ]),
        ),
      })}\n`,
    );
  }, 500).unref();
  // STORM_HEAPSNAP=MS:FILE: one heap snapshot MS after start (what the heap holds mid-storm, by constructor).
  const [at, snap] = (process.env.STORM_HEAPSNAP ?? '').split(':');
  if (snap) setTimeout(() => writeHeapSnapshot(snap), Number(at)).unref();
}
