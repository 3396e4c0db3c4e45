/**
 * The two stacks a storm runs against, each in a fresh lab, with the same phones:
 *   appliance: `appliance run` (DHCP + the protocol's service), optionally killed -9 mid-storm and restarted
 *              (appliance-stack.ts);
 *   classic:   `appliance render --out DIR` served by dnsmasq (DHCP, and TFTP) plus vsftpd (FTP) or nginx (HTTP)
 *              (classic-stack.ts).
 * Each returns the simulator's report (phones.ts), its wall time and CPU, and every server process's peak RSS
 * and CPU: here, what a stack is given and returns, and how its servers are started and measured.
 */
import type { ChildProcess } from 'node:child_process';
import type { Lab } from '../../test/lib/netns.ts';
import { waitFor } from '../../test/lib/netns.ts';
import type { SimJson } from '../../test/lib/phonesim-lab.ts';
import { childrenOf, cpuS, hwmKb, PIN, type Protocol, pinned } from './lab.ts';

export interface StormSpec {
  readonly models: string[];
  readonly proto: Protocol;
  readonly scale: number;
  readonly rateBps: number;
  /** Servers on CPU 0, the simulator on CPU 1, receive paths steered likewise (lab.ts). */
  readonly pin: boolean;
  readonly vvxCurrent: boolean;
}

export interface StackResult {
  stack: string;
  proto: Protocol;
  sim: SimJson;
  simWallMs: number;
  simCpuS: number;
  peakRssKb: Record<string, number>;
  cpuS: Record<string, number>;
  fault?: Record<string, unknown>;
}

export const LABEL: Record<Protocol, { app: string; classic: string }> = {
  tftp: { app: 'appliance (TFTP)', classic: 'dnsmasq (DHCP+TFTP)' },
  ftp: { app: 'appliance (FTP)', classic: 'dnsmasq (DHCP) + vsftpd (FTP)' },
  http: { app: 'appliance (HTTP)', classic: 'dnsmasq (DHCP) + nginx (HTTP)' },
};

/** Starts a server in the lab's app namespace; resolves once its output shows `ready` ("" = at once). */
export function spawnWatched(
  l: Lab,
  spec: StormSpec,
  argv: string[],
  ready: string,
): Promise<{ child: ChildProcess; out: () => string }> {
  const child = l.spawn('app', pinned(spec.pin, PIN.server, argv), {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, LOG_LEVEL: process.env.STORM_LOG_LEVEL ?? 'info' },
  });
  let out = '';
  const keep = (d: Buffer): void => {
    out = (out + d.toString()).slice(-200_000);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  return waitFor(
    () =>
      (ready === '' ? true : out.includes(ready)) || child.exitCode !== null,
    20_000,
    ready || 'start',
  ).then(() => {
    if (child.exitCode !== null)
      throw new Error(`${argv[0]} exited: ${out.slice(-2000)}`);
    return { child, out: () => out };
  });
}

/**
 * Peak RSS (VmHWM; with its children, the process's plus each child's, an upper bound) and CPU seconds of a
 * server, sampled every 500 ms until stop(); rebase() before a kill -9 keeps the CPU used until then.
 */
export function sampler(
  pid: () => number | undefined,
  withChildren = false,
): { stop(): { rssKb: number; cpuS: number }; rebase(): void } {
  let rss = 0;
  let cpu = 0;
  let before = 0; // CPU of a process killed mid-storm
  const kids = new Map<number, number>();
  const kidsRss = new Map<number, number>();
  const sample = (): void => {
    const p = pid();
    cpu = Math.max(cpu, cpuS(p));
    if (withChildren)
      for (const c of childrenOf(p)) {
        kids.set(c, Math.max(kids.get(c) ?? 0, cpuS(c)));
        kidsRss.set(c, Math.max(kidsRss.get(c) ?? 0, hwmKb(c)));
      }
    let total = hwmKb(p);
    for (const v of kidsRss.values()) total += v;
    rss = Math.max(rss, total);
  };
  const t = setInterval(sample, 500);
  return {
    rebase() {
      sample();
      before += cpu;
      cpu = 0;
    },
    stop() {
      sample();
      clearInterval(t);
      let k = 0;
      for (const v of kids.values()) k += v;
      return { rssKb: rss, cpuS: before + cpu + k };
    },
  };
}
