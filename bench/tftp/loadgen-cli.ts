/**
 * The native load generator as a command (run by bench/tftp/run.ts in the client namespace and cgroup):
 *
 *   node bench/tftp/loadgen-cli.ts SERVER PORT FILE --count 100 --blksize 1468 --windowsize 16 \
 *                                  --size BYTES --sha256 HEX [--reference FILE] [--timeout-ms 1000] [--retries 5]
 *
 * --reference: compare every block with FILE (which must have that size and SHA-256) instead of hashing.
 *
 * Prints the round (loadgen.ts GenRound) as one JSON line; exits 1 when any download failed or delivered
 * other bytes than --size / --sha256 say, so a wrong server fails the round.
 */
import { readFileSync } from 'node:fs';
import { arg, numArg } from '../lib/args.ts';
import { runDownloads } from './loadgen.ts';

const [server, port, filename] = process.argv.slice(2);
const REFERENCE = arg('reference', '');
if (!server || !port || !filename) {
  console.error(
    'usage: loadgen-cli.ts SERVER PORT FILE --size BYTES --sha256 HEX [--count N] [--blksize B] [--windowsize W]',
  );
  process.exit(2);
}
const r = await runDownloads({
  server,
  port: Number(port),
  filename,
  count: numArg('count', 100),
  blksize: numArg('blksize', 1468),
  windowsize: numArg('windowsize', 1),
  expect: { size: numArg('size', -1), sha256: arg('sha256', '') },
  timeoutMs: numArg('timeout-ms', 1000),
  maxRetries: numArg('retries', 5),
  reference: REFERENCE ? readFileSync(REFERENCE) : undefined,
});
console.log(JSON.stringify(r));
if (r.failed > 0) {
  console.error(
    `${r.failed} of ${r.ok + r.failed} downloads failed: ${JSON.stringify(r.failures)}; ${r.examples.join('; ')}`,
  );
  process.exit(1);
}
