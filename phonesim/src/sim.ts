/**
 * Runs many phones at once in one process (the storm): one shared DHCP socket, every phone its own MAC, xid,
 * flash and transfer sockets. A phone whose boot fails reboots after a delay, up to maxBoots times, as a real
 * phone does; the report keeps the last attempt and counts the restarts as retries.
 */
import { bootOnce } from './boot.ts';
import type { BootEnv, PhoneSettings } from './boot-session.ts';
import { type Flash, factoryFlash } from './flash.ts';
import {
  type Aggregate,
  addCounts,
  aggregate,
  type PhoneReport,
  progressLine,
} from './report.ts';

export interface SimOptions {
  readonly phones: readonly PhoneSettings[];
  readonly env: BootEnv;
  /** Boots per phone (1 = no reboot after a failure). */
  readonly maxBoots: number;
  readonly rebootDelayMs: number;
  /** Power-on spread: phone i starts at i * rampMs / n. 0 = all at once. */
  readonly rampMs: number;
  /** Boot every phone this many times in a row (2 shows the version check skipping the image). */
  readonly bootsInARow: number;
  readonly progress: ((line: string) => void) | undefined;
}

export interface SimResult {
  readonly reports: PhoneReport[];
  readonly aggregate: Aggregate;
  readonly flashes: ReadonlyMap<string, Flash>;
}

export async function runSimulation(o: SimOptions): Promise<SimResult> {
  const t0 = performance.now();
  const flashes = new Map<string, Flash>();
  const reports: PhoneReport[] = new Array(o.phones.length);
  let done = 0;
  let provisioned = 0;
  let bytes = 0;
  const timer = o.progress
    ? setInterval(
        () =>
          o.progress!(
            progressLine(
              done,
              provisioned,
              o.phones.length,
              performance.now() - t0,
              bytes,
            ),
          ),
        1000,
      )
    : undefined;
  const n = o.phones.length;
  await Promise.all(
    o.phones.map(async (p, i) => {
      if (o.rampMs > 0 && n > 1)
        await new Promise((r) => setTimeout(r, (i * o.rampMs) / n));
      const flash = factoryFlash(p.flashVersions.app, p.flashVersions.boot);
      flashes.set(p.id.mac, flash);
      const started = performance.now();
      let last: PhoneReport | undefined;
      let restarts = 0;
      let retries = 0;
      const retriesBy: Record<string, number> = {};
      const rebootCauses: string[] = [];
      for (let round = 0; round < o.bootsInARow; round++) {
        for (let attempt = 1; attempt <= o.maxBoots; attempt++) {
          last = await bootOnce(p, flash, o.env);
          retries += last.retries;
          addCounts(retriesBy, last.retriesBy);
          if (last.ok) break;
          if (attempt < o.maxBoots) {
            restarts++;
            rebootCauses.push(
              `${last.failedStep ?? '?'}:${last.error?.code ?? '?'}`,
            );
            await new Promise((r) => setTimeout(r, o.rebootDelayMs));
          }
        }
        if (!last!.ok) break;
      }
      const r = last!;
      reports[i] = {
        ...r,
        attempts: restarts + 1,
        retries: retries + restarts,
        retriesBy: restarts
          ? addCounts(retriesBy, { reboot: restarts })
          : retriesBy,
        rebootCauses,
        totalMs:
          o.bootsInARow === 1
            ? Math.round(performance.now() - started)
            : r.totalMs,
      };
      done++;
      if (r.ok) provisioned++;
      bytes += r.bytesDown;
    }),
  );
  if (timer) clearInterval(timer);
  const wall = performance.now() - t0;
  o.progress?.(progressLine(done, provisioned, n, wall, bytes));
  return { reports, aggregate: aggregate(reports, Math.round(wall)), flashes };
}
