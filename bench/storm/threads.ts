/**
 * CPU seconds of a server process by thread name (/proc/PID/task/TID/stat, utime + stime), counted from
 * the moment the sampler starts (start-up excluded): the appliance's engine threads (tftp-engine), its
 * JavaScript thread (MainThread), libuv's pool (file opens, uploads) and V8's workers (GC), so that an A/B
 * of the TFTP engine reads the engine's own CPU and not the storm's noise in the rest of the process.
 * Sampled every 500 ms (a thread that exits keeps its last sample).
 */
import { readdirSync, readFileSync } from 'node:fs';

interface ThreadCpu {
  readonly comm: string;
  readonly cpuS: number;
}

function threads(pid: number): Map<number, ThreadCpu> {
  const out = new Map<number, ThreadCpu>();
  let tids: string[];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return out;
  }
  for (const t of tids) {
    try {
      const s = readFileSync(`/proc/${pid}/task/${t}/stat`, 'utf8');
      const comm = s.slice(s.indexOf('(') + 1, s.lastIndexOf(')'));
      const f = s.slice(s.lastIndexOf(') ') + 2).split(' ');
      out.set(Number(t), { comm, cpuS: (Number(f[11]) + Number(f[12])) / 100 });
    } catch {
      /* exited */
    }
  }
  return out;
}

/** Starts sampling `pid`; stop() gives the CPU each thread name used since the start, largest first. */
export function threadSampler(pid: number): {
  stop(): [string, number][];
} {
  const base = threads(pid);
  const last = new Map<number, ThreadCpu>();
  const sample = (): void => {
    for (const [tid, t] of threads(pid)) last.set(tid, t);
  };
  const timer = setInterval(sample, 500);
  return {
    stop() {
      sample();
      clearInterval(timer);
      const by = new Map<string, number>();
      for (const [tid, t] of last)
        by.set(
          t.comm,
          (by.get(t.comm) ?? 0) + t.cpuS - (base.get(tid)?.cpuS ?? 0),
        );
      return [...by].sort((a, b) => b[1] - a[1]);
    },
  };
}
