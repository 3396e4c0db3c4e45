/**
 * The TFTP benchmark's markdown report: the wall-time table (best round, all rounds in brackets), server CPU
 * per datagram, every round, the native generator's rounds, and the service's own figures.
 */
import { readFileSync } from 'node:fs';
import { type GenSample, genTable } from './gen-rounds.ts';

export interface Report {
  readonly count: number;
  readonly size: number;
  readonly rows: readonly string[];
  readonly cpuRows: readonly string[];
  readonly roundRows: readonly string[];
  readonly genSamples: readonly GenSample[];
  readonly genVerify: 'compare' | 'sha256';
  readonly engine: 'native' | 'js';
  readonly pin: boolean;
  readonly loadBefore: string;
  readonly stats: {
    readonly maxRssKb: number;
    readonly retransmits: number;
    readonly completed: number;
    readonly failed: number;
  };
}

export function printReport(r: Report): void {
  const {
    count,
    size,
    rows,
    cpuRows,
    roundRows,
    genSamples,
    genVerify,
    engine,
    pin,
    loadBefore,
    stats,
  } = r;
  console.log(
    `| round (${count} concurrent downloads of ${(size / 1048576).toFixed(0)} MB) | ours | tftpd-hpa | ours / tftpd-hpa |`,
  );
  console.log('|---|---|---|---|');
  for (const r of rows) console.log(r);
  console.log(
    `\nServer CPU (cgroup v2 cpu.stat usage_usec, every thread and child process): mean per round, and µs per datagram sent (all rounds' CPU ÷ all rounds' datagrams; DATA incl. retransmits, plus one OACK per transfer; ${count} × ${Math.floor(size / 1468) + 1} = ${count * (Math.floor(size / 1468) + 1)} DATA blocks without loss):\n`,
  );
  console.log('| round | ours | tftpd-hpa | ours / tftpd-hpa per datagram |');
  console.log('|---|---|---|---|');
  for (const r of cpuRows) console.log(r);
  console.log(
    "\nEvery round (CPU s = user + system; datagrams: sent by srv's eth0; clients: CPU of the client processes; previous method: what this script measured before, /proc/<pid>/stat with cutime and the children sampled every 50 ms; load average after the round):\n",
  );
  console.log(
    '| round | # | server | wall ms | failed | server CPU s (user + sys) | datagrams | µs / datagram | clients CPU s | previous method s | load |',
  );
  console.log('|---|---|---|---|---|---|---|---|---|---|---|');
  for (const r of roundRows) console.log(r);
  if (genSamples.length > 0) {
    console.log(
      `\nNative generator rounds (one process, ${count} downloads, each checked: ${genVerify === 'compare' ? 'every block compared with the image file' : 'length + SHA-256'}; wall: its own clock, first RRQ to last outcome; generator CPU: its cgroup, the whole Node process incl. start-up, and the loop thread alone; busy: CPU ÷ wall, 1.00 = one core all the time):\n`,
    );
    for (const r of genTable(genSamples, count, size)) console.log(r);
  }
  console.log(
    `\nService: downloads run by the ${engine} engine;${pin ? ' servers pinned to CPU 0, clients to CPU 1 (--pin);' : ''} load average before: ${loadBefore}; after: ${readFileSync('/proc/loadavg', 'utf8').trim()}.`,
  );
  console.log(
    `\nAppliance (TFTP service process) peak RSS: ${(stats.maxRssKb / 1024).toFixed(0)} MB; retransmits ${stats.retransmits}, completed ${stats.completed}, failed ${stats.failed}.`,
  );
}
