/**
 * What the file-service benchmarks' reports (bench/http/report.ts, bench/ftp/report.ts) share: the figures of
 * the appliance's run every report shows, statistics over rounds, the appliance's command line without the
 * machine's paths, and the rule for a wall ratio: it counts only where the load generator costs less CPU per
 * GiB than the server it loads.
 */

export interface ApplianceRun {
  readonly rounds: number;
  readonly count: number;
  readonly size: number;
  readonly loadBefore: readonly number[];
  /** The re-executed appliance's command line (RunningAppliance.cmdline()). */
  readonly appCmd: string;
  readonly appIdleRssKiB: number;
  readonly appIdleHwmKiB: number;
  readonly transfers: { all: number; ok: number };
}

export const median = (xs: readonly number[]): number =>
  [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
export const best = (xs: readonly number[]): number => Math.min(...xs);
export const sum = (xs: readonly number[]): number =>
  xs.reduce((a, x) => a + x, 0);
export const f2 = (x: number): string => x.toFixed(2);

/** `node … bin/appliance.js run --config appliance.yaml`, as a reader would type it. */
export const shortCommand = (appCmd: string): string =>
  appCmd
    .replace(/\S*\/bin\/node /, 'node ')
    .replace(/ \S*\/bin\/appliance\.js/, ' bin/appliance.js')
    .replace(/--config \S*/, '--config appliance.yaml');

/** One server's rounds: the load generator's CPU-s per GiB against the server's, and which is cheaper. */
export const generatorVerdict = (
  label: string,
  cliPerGiB: number,
  serverPerGiB: number,
): string =>
  `${label}: load generator ${f2(cliPerGiB)} CPU-s per GiB, server ${f2(serverPerGiB)} (${cliPerGiB < serverPerGiB ? 'cheaper than the server' : '**costs more than the server**'})`;
