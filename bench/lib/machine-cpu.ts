/**
 * The whole machine's CPU time from /proc/stat's first line, in seconds summed over every core: busy (all
 * but idle and iowait) and the part of it spent in softirq (where the kernel does most of the network
 * stack's receive work, charged to no cgroup). Two readings' difference over a benchmark round tells whether
 * the machine's cores were the limit (busy ≈ cores × wall) and how much CPU no process accounts for.
 */
import { readFileSync } from 'node:fs';

export interface MachineCpu {
  readonly busyS: number;
  readonly softirqS: number;
}

const TICK = 100; // USER_HZ on Linux

export function machineCpu(): MachineCpu {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0]!;
  // cpu user nice system idle iowait irq softirq steal guest guest_nice
  const f = line.trim().split(/\s+/).slice(1).map(Number);
  const total = f.slice(0, 8).reduce((a, x) => a + x, 0);
  return {
    busyS: (total - f[3]! - f[4]!) / TICK,
    softirqS: f[6]! / TICK,
  };
}

export const machineDelta = (a: MachineCpu, b: MachineCpu): MachineCpu => ({
  busyS: b.busyS - a.busyS,
  softirqS: b.softirqS - a.softirqS,
});
