/**
 * Memory probe for the HTTP and FTP benchmarks (bench only): bench/storm/memprobe.ts (process.memoryUsage(),
 * RssAnon / RssFile / VmHWM every 500 ms into $STORM_MEMPROBE), loaded only into the re-executed
 * `appliance run` process, since NODE_OPTIONS reaches every node the benchmark starts:
 *
 *   STORM_MEMPROBE=/tmp/mp.jsonl NODE_OPTIONS="--import $PWD/bench/http/memprobe.ts" node bench/http/run.ts --rounds 2
 */
const isAppliance =
  process.argv.some((a) => a.endsWith('appliance.js')) &&
  process.env.APPLIANCE_NODE_FLAGS !== undefined;
if (isAppliance) await import('../storm/memprobe.ts');
