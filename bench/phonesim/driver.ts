/**
 * Runs N concurrent downloads with one of phonesim's transfer clients (createTftpClient / createFtpClient)
 * in this process and prints one JSON line: this process's CPU seconds (user, system) spent on them, wall
 * time, failures and retries. Started by cpu.ts inside the lab's client namespace.
 *
 *   node bench/phonesim/driver.ts tftp|ftp SERVER PATH SHA256 [--count 100] [--blksize 1468] [--base DIR]
 *                                 [--user U --password P] [--client MODULE]
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { BootLocation } from '../../phonesim/src/boot-server.ts';
import type { FileClient } from '../../phonesim/src/transfer.ts';
import { arg, numArg } from '../lib/args.ts';

const [protocol, server, path, sha] = process.argv.slice(2);
if ((protocol !== 'tftp' && protocol !== 'ftp') || !server || !path || !sha) {
  console.error(
    'usage: driver.ts tftp|ftp SERVER PATH SHA256 [--count N] [--blksize N] [--base DIR] [--user U --password P] [--client MODULE]',
  );
  process.exit(2);
}
const COUNT = numArg('count', 100);
const BLKSIZE = numArg('blksize', 1468);
const mod = arg(
  'client',
  resolve(import.meta.dirname, `../../phonesim/src/${protocol}-client.ts`),
);
const create = (
  (await import(pathToFileURL(resolve(mod)).href)) as Record<
    string,
    (l: BootLocation, c: unknown, o?: unknown) => FileClient
  >
)[protocol === 'tftp' ? 'createTftpClient' : 'createFtpClient']!;

const loc: BootLocation = {
  protocol,
  host: server,
  port: protocol === 'tftp' ? 69 : 21,
  user: arg('user', '') || undefined,
  password: arg('password', '') || undefined,
  base: arg('base', ''),
  masterFile: undefined,
};
const ctx = {
  localAddress: undefined,
  userAgent: () => 'bench',
  timeoutMs: 30_000,
};
const cpu0 = process.cpuUsage();
const t0 = performance.now();
const clients = Array.from({ length: COUNT }, () =>
  create(loc, ctx, { blksize: BLKSIZE, packetTimeoutMs: 1000, maxRetries: 5 }),
);
const results = await Promise.all(
  clients.map((c) => c.get(path, 'Application', false)),
);
const wallMs = performance.now() - t0;
const cpu = process.cpuUsage(cpu0);
await Promise.all(clients.map((c) => c.close()));
const failures = results
  .filter((r) => !r.ok || r.value.sha256 !== sha)
  .map((r) =>
    r.ok ? `sha ${r.value.sha256}` : `${r.error.code} ${r.error.message}`,
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
