/**
 * The TFTP benchmark's previous CPU measurement, kept as a cross-check of the cgroup figures (cpu-groups.ts):
 * a process's utime + stime (all its threads) + cutime + cstime from /proc/<pid>/stat, plus its direct
 * children sampled every 50 ms (a child that exits between two samples loses its last < 50 ms, one that
 * lives less than 50 ms is never seen). Also reports the listener's own cutime + cstime: what it holds of
 * the children it reaped.
 */
import { readdirSync, readFileSync } from 'node:fs';

const TICK_S = 0.01; // USER_HZ 100

/** Fields after "(comm) ": state=0 ppid=1 … utime=11 stime=12 cutime=13 cstime=14. */
function statOf(pid: string): string[] | undefined {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  } catch {
    return undefined;
  }
}
const own = (f: string[]): number => Number(f[11]) + Number(f[12]);
const reaped = (f: string[]): number => Number(f[13]) + Number(f[14]);

export interface Sampled {
  /** Seconds: own + reaped + sampled children (the previous bench's figure). */
  readonly total: number;
  /** Seconds of reaped children's CPU in the process's cutime + cstime. */
  readonly reaped: number;
  /** Children seen by the sampler. */
  readonly children: number;
}

export function sampleCpu(pid: number): { stop(): Sampled } {
  const f0 = statOf(String(pid))!;
  const kids = new Map<string, number>();
  const sample = (): void => {
    for (const d of readdirSync('/proc')) {
      if (!/^[0-9]+$/.test(d)) continue;
      const f = statOf(d);
      if (f && Number(f[1]) === pid)
        kids.set(d, Math.max(kids.get(d) ?? 0, own(f) + reaped(f)));
    }
  };
  const t = setInterval(sample, 50);
  return {
    stop() {
      clearInterval(t);
      sample();
      let k = 0;
      for (const v of kids.values()) k += v;
      const f = statOf(String(pid))!;
      const r = reaped(f) - reaped(f0);
      return {
        total: (own(f) - own(f0) + r + k) * TICK_S,
        reaped: r * TICK_S,
        children: kids.size,
      };
    },
  };
}
