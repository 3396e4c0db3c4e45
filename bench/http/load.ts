/**
 * The load generator of the HTTP and FTP benchmarks, one process for the whole run (inside the client namespace):
 *   node bench/http/load.ts [--client wire|node]
 * reads one round per stdin line, "URL COUNT SIZE", starts COUNT downloads of URL at once (one connection each),
 * reads every body to the end, and prints one JSON line per round: wall time from the first request to the
 * last byte, failures (errors, unexpected replies, wrong length), bytes. One process rather than one per round,
 * so that the CPU the benchmark reads around a round (bench/lib/cpu-groups.ts) is the round's, not Node's start.
 *
 * http:// URLs: --client wire (the default), wire-get.ts, a static read buffer, the body counted, never copied;
 * --client node, node:http (a Buffer per chunk; what the benchmark used before, kept for comparison).
 * ftp:// URLs: wire-ftp-get.ts (passive mode, the same static-buffer reading), whatever --client says.
 */
import http from 'node:http';
import { createInterface } from 'node:readline';
import { arg } from '../lib/args.ts';
import { ftpGet } from './wire-ftp-get.ts';
import { type GetResult, wireGet } from './wire-get.ts';

const client = arg('client', 'wire');
if (client !== 'wire' && client !== 'node')
  throw new Error(`--client wire|node, not ${client}`);
const TIMEOUT_MS = 60_000;

function nodeGet(
  url: URL,
  size: number,
  agent: http.Agent,
): Promise<GetResult> {
  return new Promise((resolve) => {
    const req = http.get(url, { agent }, (res) => {
      let bytes = 0;
      res.on('data', (d: Buffer) => {
        bytes += d.length;
      });
      res.on('end', () =>
        resolve({ ok: res.statusCode === 200 && bytes === size, bytes }),
      );
      res.on('error', () => resolve({ ok: false, bytes }));
    });
    req.setTimeout(TIMEOUT_MS, () => req.destroy());
    req.on('error', () => resolve({ ok: false, bytes: 0 }));
  });
}

async function round(url: URL, count: number, size: number): Promise<string> {
  const agent = new http.Agent({ keepAlive: false, maxSockets: Infinity });
  const one = (): Promise<GetResult> =>
    url.protocol === 'ftp:'
      ? ftpGet(url, size, TIMEOUT_MS)
      : client === 'wire'
        ? wireGet(url, size, TIMEOUT_MS)
        : nodeGet(url, size, agent);
  const t0 = performance.now();
  const results = await Promise.all(Array.from({ length: count }, one));
  const wallMs = performance.now() - t0;
  agent.destroy();
  const failures = results.filter((r) => !r.ok).length;
  const bytes = results.reduce((a, r) => a + r.bytes, 0);
  return JSON.stringify({
    wallMs: Math.round(wallMs * 10) / 10,
    failures,
    bytes,
  });
}

for await (const line of createInterface({ input: process.stdin })) {
  const [url, count, size] = line.trim().split(/\s+/);
  if (!url || !count || !size) continue;
  process.stdout.write(
    `${await round(new URL(url), Number(count), Number(size))}\n`,
  );
}
