/**
 * Exact CPU time for the file-service benchmarks: each server (and the load generator) in its own cgroup v2,
 * read from cpu.stat (usage_usec, user_usec, system_usec). A cgroup counts every thread and every process
 * forked in it, also those that exited between two readings (tftpd-hpa's per-transfer children, nginx's
 * workers), which /proc sampling misses when they live less than a sample period.
 *
 *   const g = createCpuGroups('http-bench', ['ours', 'nginx', 'cli']);  // a folder under the cgroup2 mount, removed by destroy()
 *   g.join('nginx', pid); const t0 = g.read('nginx'); … ; g.read('nginx').usageUs - t0.usageUs
 *   g.procsFile('cli')                         // for a shell to write its own pid into (`echo $$ > …`)
 *
 * Needs root and a cgroup2 mount (/proc/self/mountinfo); no controller needs enabling (cpu.stat is core).
 */
import {
  existsSync,
  mkdirSync,
  readFileSync,
  rmdirSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';

export interface CpuReading {
  readonly usageUs: number;
  readonly userUs: number;
  readonly systemUs: number;
}

export interface CpuGroups {
  /** Move a process (all its threads) into the group; its later children are born there. */
  join(group: string, pid: number): void;
  read(group: string): CpuReading;
  procsFile(group: string): string;
  /** Move what is left back to the mount's root and remove the folders. */
  destroy(): void;
}

/** Where cgroup2 is mounted, from /proc/self/mountinfo ("… mountpoint … - cgroup2 …"). */
export function cgroup2Mount(): string | undefined {
  for (const line of readFileSync('/proc/self/mountinfo', 'utf8').split('\n')) {
    const [pre, post] = line.split(' - ');
    if (post?.startsWith('cgroup2 ')) return pre!.split(' ')[4];
  }
  return undefined;
}

export function createCpuGroups(
  name: string,
  groups: readonly string[],
): CpuGroups {
  const mount = cgroup2Mount();
  if (!mount) throw new Error('no cgroup2 mount: cannot measure CPU exactly');
  const top = join(mount, `${name}-${process.pid}`);
  mkdirSync(top);
  const dir = (g: string): string => {
    if (!groups.includes(g)) throw new Error(`unknown CPU group ${g}`);
    return join(top, g);
  };
  for (const g of groups) mkdirSync(dir(g));
  return {
    join(g, pid) {
      writeFileSync(join(dir(g), 'cgroup.procs'), `${pid}\n`);
    },
    read(g) {
      const kv = new Map<string, number>();
      for (const line of readFileSync(join(dir(g), 'cpu.stat'), 'utf8').split(
        '\n',
      )) {
        const [k, v] = line.split(' ');
        if (k && v) kv.set(k, Number(v));
      }
      return {
        usageUs: kv.get('usage_usec') ?? Number.NaN,
        userUs: kv.get('user_usec') ?? Number.NaN,
        systemUs: kv.get('system_usec') ?? Number.NaN,
      };
    },
    procsFile: (g) => join(dir(g), 'cgroup.procs'),
    destroy() {
      for (const g of groups) {
        const d = dir(g);
        if (!existsSync(d)) continue;
        for (const pid of readFileSync(join(d, 'cgroup.procs'), 'utf8')
          .split('\n')
          .filter(Boolean)) {
          try {
            writeFileSync(join(mount, 'cgroup.procs'), `${pid}\n`);
          } catch {
            /* exited meanwhile */
          }
        }
        rmdirSync(d);
      }
      rmdirSync(top);
    },
  };
}
