/**
 * One benchmark round against one server, measured: wall time and failures (the round's own result), the
 * server's and the clients' CPU from their cgroups (bench/lib/cpu-groups.ts), the datagrams srv's eth0 sent
 * and received, and the previous /proc sampling (proc-sampler.ts) for comparison.
 */
import type { CpuGroups } from '../lib/cpu-groups.ts';
import type { RoundResult } from './clients.ts';
import { type Sampled, sampleCpu } from './proc-sampler.ts';

export interface Sample extends RoundResult {
  readonly cpuUs: number;
  readonly userUs: number;
  readonly sysUs: number;
  readonly cliUs: number;
  readonly cliUserUs: number;
  readonly cliSysUs: number;
  readonly tx: number;
  readonly rx: number;
  /** The previous measurement (proc-sampler.ts), for comparison. */
  readonly sampled: Sampled;
}

export type Server = 'ours' | 'hpa';

/** Datagrams received and sent by eth0 in a /proc/net/dev text (it is per namespace). */
export function parseEth0(netDev: string): { tx: number; rx: number } {
  const line = netDev.split('\n').find((x) => x.trim().startsWith('eth0:'));
  if (!line) throw new Error('no eth0 in /proc/net/dev');
  const f = line.split(':')[1]!.trim().split(/\s+/).map(Number);
  return { rx: f[1]!, tx: f[9]! };
}

export function createMeasure(o: {
  readonly groups: CpuGroups;
  readonly pids: Readonly<Record<Server, number>>;
  readonly srvPackets: () => Promise<{ tx: number; rx: number }>;
}): (group: Server, f: () => Promise<RoundResult>) => Promise<Sample> {
  return async (group, f) => {
    const p0 = await o.srvPackets();
    const c0 = o.groups.read(group);
    const k0 = o.groups.read('cli');
    const sampler = sampleCpu(o.pids[group]);
    const r = await f();
    const sampled = sampler.stop();
    const c1 = o.groups.read(group);
    const k1 = o.groups.read('cli');
    const p1 = await o.srvPackets();
    return {
      ...r,
      cpuUs: c1.usageUs - c0.usageUs,
      userUs: c1.userUs - c0.userUs,
      sysUs: c1.systemUs - c0.systemUs,
      cliUs: k1.usageUs - k0.usageUs,
      cliUserUs: k1.userUs - k0.userUs,
      cliSysUs: k1.systemUs - k0.systemUs,
      tx: p1.tx - p0.tx,
      rx: p1.rx - p0.rx,
      sampled,
    };
  };
}
