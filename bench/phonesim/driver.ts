/**
 * Runs N concurrent downloads with one of phonesim's transfer clients (createTftpClient / createFtpClient /
 * createHttpClient; MODULE#node or MODULE#wire passes HTTP's client option)
 * in this process and prints one JSON line: this process's CPU seconds (user, system) spent on them, wall
 * time, failures and retries. Started by cpu.ts inside the lab's client namespace.
 *
 *   node bench/phonesim/driver.ts tftp|ftp|http SERVER PATH CRC32 [--count 100] [--blksize 1468] [--base DIR]
 *                                 [--user U --password P] [--client MODULE] [--source-base A.B.C.D]
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { BootLocation } from '../../phonesim/src/boot-server.ts';
import type { FileClient } from '../../phonesim/src/transfer.ts';
import { arg, numArg } from '../lib/args.ts';

const [protocol, server, path, crc] = process.argv.slice(2);
if (
  (protocol !== 'tftp' && protocol !== 'ftp' && protocol !== 'http') ||
  !server ||
  !path ||
  !crc
) {
  console.error(
    'usage: driver.ts tftp|ftp|http SERVER PATH CRC32 [--count N] [--blksize N] [--base DIR] [--user U --password P] [--client MODULE]',
  );
  process.exit(2);
}
const COUNT = numArg('count', 100);
const BLKSIZE = numArg('blksize', 1468);
const [mod, httpClient] = arg(
  'client',
  resolve(import.meta.dirname, `../../phonesim/src/${protocol}-client.ts`),
).split('#');
const create = (
  (await import(pathToFileURL(resolve(mod!)).href)) as Record<
    string,
    (l: BootLocation, c: unknown, o?: unknown) => FileClient
  >
)[
  {
    tftp: 'createTftpClient',
    ftp: 'createFtpClient',
    http: 'createHttpClient',
  }[protocol]
]!;

const loc: BootLocation = {
  protocol,
  host: server,
  port: { tftp: 69, ftp: 21, http: 80 }[protocol],
  user: arg('user', '') || undefined,
  password: arg('password', '') || undefined,
  base: arg('base', ''),
  masterFile: undefined,
};
/** --source-base A.B.C.D: client i binds A.B.C.(D+i) (each download from its own address). */
const SOURCE = arg('source-base', '');
const source = (i: number): string | undefined => {
  if (!SOURCE) return undefined;
  const p = SOURCE.split('.').map(Number);
  return `${p[0]}.${p[1]}.${p[2]}.${p[3]! + i}`;
};
const ctx = (i: number) => ({
  localAddress: source(i),
  userAgent: () => 'bench',
  timeoutMs: 30_000,
});
const cpu0 = process.cpuUsage();
const t0 = performance.now();
const clients = Array.from({ length: COUNT }, (_, i) =>
  create(
    loc,
    ctx(i),
    protocol === 'http'
      ? { client: httpClient ?? 'wire' }
      : { blksize: BLKSIZE, packetTimeoutMs: 1000, maxRetries: 5 },
  ),
);
const results = await Promise.all(
  clients.map((c) => c.get(path, 'Application', false)),
);
const wallMs = performance.now() - t0;
const cpu = process.cpuUsage(cpu0);
await Promise.all(clients.map((c) => c.close()));
const failures = results
  .filter((r) => !r.ok || r.value.crc32 !== crc)
  .map((r) =>
    r.ok ? `crc32 ${r.value.crc32}` : `${r.error.code} ${r.error.message}`,
  );
console.log(
  JSON.stringify({
    userS: cpu.user / 1e6,
    systemS: cpu.system / 1e6,
    cpuS: (cpu.user + cpu.system) / 1e6,
    wallS: wallMs / 1000,
    ok: COUNT - failures.length,
    failures: failures.slice(0, 3),
    retries: clients.reduce((n, c) => n + c.retries(), 0),
  }),
);
