/**
 * The load generator of the HTTP benchmark (run inside the client namespace):
 *   node bench/http/load.ts URL COUNT SIZE
 * starts COUNT GETs of URL at once (one connection each), reads every body to the end, and prints one JSON
 * line: wall time from the first request to the last byte, failures (errors, non-200, wrong length), bytes.
 */
import http from 'node:http';

const [url, countText, sizeText] = process.argv.slice(2);
if (!url || !countText || !sizeText) {
  process.stderr.write('usage: load.ts URL COUNT SIZE\n');
  process.exit(2);
}
const count = Number(countText);
const size = Number(sizeText);
const agent = new http.Agent({ keepAlive: false, maxSockets: Infinity });

function one(): Promise<{ ok: boolean; bytes: number }> {
  return new Promise((resolve) => {
    const req = http.get(url!, { agent }, (res) => {
      let bytes = 0;
      res.on('data', (d: Buffer) => {
        bytes += d.length;
      });
      res.on('end', () =>
        resolve({ ok: res.statusCode === 200 && bytes === size, bytes }),
      );
      res.on('error', () => resolve({ ok: false, bytes }));
    });
    req.setTimeout(60_000, () => req.destroy());
    req.on('error', () => resolve({ ok: false, bytes: 0 }));
  });
}

const t0 = performance.now();
const results = await Promise.all(Array.from({ length: count }, one));
const wallMs = performance.now() - t0;
const failures = results.filter((r) => !r.ok).length;
const bytes = results.reduce((a, r) => a + r.bytes, 0);
process.stdout.write(
  `${JSON.stringify({ wallMs: Math.round(wallMs * 10) / 10, failures, bytes })}\n`,
);
