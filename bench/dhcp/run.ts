/**
 * DHCP benchmark: perfdhcp DORA against the appliance, kea-dhcp4 and dnsmasq in one run, in namespaces
 * created here (lab 10.91.3.0/24). Two figures:
 *  1. the ladder: per server the rate rises step by step (fresh server, empty lease store per step; the
 *     servers' ladders interleaved) until
 *     drops reach 0.1 %, or perfdhcp itself is the limit (its CPU near one core, replies lost in its own
 *     socket buffer, DISCOVERs sent behind the rate: perfdhcp.ts), which is then said instead of a ceiling;
 *  2. CPU seconds per 1,000 DORA exchanges of each server at one common clean rate (4000/s when every server
 *     is clean there, else the highest rate all are clean at, else the ladder's first step, said so),
 *     --cpu-rounds fresh runs each, alternating.
 * Also per step perfdhcp's CPU, the machine's busy share and load, and each server's VmHWM.
 *   node bench/dhcp/run.ts [--duration 5] [--exit-wait 0] [--cpu-rounds 3] [--cpu-duration 10] [--cpu-rate N]
 *     [--appliances NAME=CHECKOUT,…] [--servers NAME,…] [--log info|warn] [--client-rcvbuf BYTES] [--kea-rcvbuf BYTES]
 *     [--out bench/results/dhcp.md]
 * --appliances measures the appliance of other checkouts too (default appliance=this checkout); --servers
 * keeps only the named ones (e.g. appliance,kea-dhcp4 to skip dnsmasq); --log warn runs the appliance and Kea
 * without their per-exchange log lines (both log at info by default). Each run starts once the fresh server's
 * CPU stands still. --client-rcvbuf sets perfdhcp's socket receive buffer (rcvbuf.c, default 8 MiB, which
 * the kernel doubles; 0 leaves net.core.rmem_default), the same for every server; --kea-rcvbuf gives Kea's
 * sockets the receive buffer the appliance's socket asks for (4 MiB; 0: Kea's own, net.core.rmem_default).
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createLab } from '../../test/lib/netns.ts';
import { arg } from '../lib/args.ts';
import { uptime } from '../lib/uptime.ts';
import {
  CLIENT_RCVBUF,
  clean,
  perfdhcp,
  processCpuS,
  type Run,
  vmHwmKb,
} from './perfdhcp.ts';
import { type Outcome, report } from './report.ts';
import {
  appliance,
  dnsmasq,
  kea,
  type LogLevel,
  NET,
  type Server,
} from './servers.ts';

/** What the appliance's DHCP socket asks for (src/dhcp/socket/bind-device.c), given to Kea's too by default. */
const APPLIANCE_RCVBUF = 4 * 1024 * 1024;
const o = {
  durationS: Number(arg('duration', '5')),
  exitWaitS: Number(arg('exit-wait', '0')),
  cpuRounds: Number(arg('cpu-rounds', '3')),
  cpuDurationS: Number(arg('cpu-duration', '10')),
  cpuRate: arg('cpu-rate', ''),
  out: arg('out', 'bench/results/dhcp.md'),
  log: (arg('log', 'info') === 'warn' ? 'warn' : 'info') as LogLevel,
  clientRcvbuf: Number(arg('client-rcvbuf', String(CLIENT_RCVBUF))),
  keaRcvbuf: Number(arg('kea-rcvbuf', String(APPLIANCE_RCVBUF))),
};
const ROOT = resolve(import.meta.dirname, '../..');
const appliances = arg('appliances', `appliance=${ROOT}`)
  .split(',')
  .map((s) => s.split('='))
  .map(([name, dir]) => ({ name: name!, dir: resolve(dir!) }));
const only = arg('servers', '').split(',').filter(Boolean);
const PREFERRED_CPU_RATE = 4000;

const uptimeBefore = uptime();
const lab = await createLab({
  prefix: 'dhcpb',
  hosts: ['srv', 'cli'],
  subnet: NET,
});
const root = mkdtempSync(join(tmpdir(), 'dhcp-bench-'));
let n = 0;

/** Until the started server's CPU stands still (its start-up is not counted in the run's CPU). */
async function settled(pid: number | undefined): Promise<void> {
  const until = Date.now() + 10_000;
  let last = processCpuS(pid);
  while (Date.now() < until) {
    await new Promise((r) => setTimeout(r, 300));
    const now = processCpuS(pid);
    if (!(now - last > 0.01)) return;
    last = now;
  }
}

/** One fresh server, one perfdhcp run against it, the server stopped. */
async function once(
  s: Server,
  rate: number,
  durationS: number,
): Promise<Run & { hwmKb: number | undefined }> {
  const dir = join(root, `${n++}-${s.name}-${rate}`);
  mkdirSync(dir, { recursive: true });
  const srv = await s.start(dir);
  try {
    await settled(srv.pid);
    const r = await perfdhcp(lab, {
      rate,
      durationS,
      exitWaitS: o.exitWaitS,
      server: srv.pid,
      rcvbufBytes: o.clientRcvbuf,
    });
    const out = { ...r, hwmKb: vmHwmKb(srv.pid) };
    process.stderr.write(`${s.name} ${rate}/s: ${JSON.stringify(out)}\n`);
    return out;
  } finally {
    srv.kill('SIGKILL');
    await new Promise((r) =>
      srv.exitCode !== null || srv.signalCode !== null
        ? r(undefined)
        : srv.once('exit', r),
    );
  }
}

const outcomes: Outcome[] = [];
let cpuRate = 0;
let cpuClean = true;
const cpuRuns = new Map<string, Awaited<ReturnType<typeof once>>[]>();
try {
  const servers = [
    ...appliances.map((a) => appliance(lab, a.name, a.dir, { log: o.log })),
    kea(lab, o.log, o.keaRcvbuf),
    dnsmasq(lab),
  ].filter((s) => only.length === 0 || only.includes(s.name));
  // The ladders interleaved (each server's next step in turn), so a change in the machine's load hits all.
  const climbing = servers.map((s) => ({
    s,
    steps: [] as Awaited<ReturnType<typeof once>>[],
    end: 'top of the ladder' as Outcome['end'],
    done: false,
  }));
  while (climbing.some((c) => !c.done))
    for (const c of climbing.filter((x) => !x.done)) {
      const rate = c.s.rates[c.steps.length];
      if (rate === undefined) {
        c.done = true;
        continue;
      }
      const r = await once(c.s, rate, o.durationS);
      c.steps.push(r);
      if (r.generatorLimits.length > 0) {
        c.end = clean(r) ? 'generator' : 'generator-drops';
        c.done = true;
      } else if (!clean(r)) {
        c.end = 'drops';
        c.done = true;
      }
    }
  for (const c of climbing)
    outcomes.push({ name: c.s.name, steps: c.steps, end: c.end });
  // The CPU figure: every server but dnsmasq (whose ceiling is far below), at one rate all are clean at.
  const paired = servers.filter((s) => s.name !== 'dnsmasq');
  const cleanAt = (rate: number): boolean =>
    paired.every((s) =>
      outcomes
        .find((x) => x.name === s.name)
        ?.steps.some((r) => r.rate === rate && clean(r)),
    );
  const candidates = (paired[0]?.rates ?? []).filter(cleanAt);
  cpuRate = o.cpuRate
    ? Number(o.cpuRate)
    : cleanAt(PREFERRED_CPU_RATE)
      ? PREFERRED_CPU_RATE
      : (candidates.at(-1) ?? paired[0]?.rates[0] ?? 0);
  cpuClean = cleanAt(cpuRate);
  if (cpuRate > 0)
    for (let round = 0; round < o.cpuRounds; round++)
      for (const s of paired) {
        const r = await once(s, cpuRate, o.cpuDurationS);
        cpuRuns.set(s.name, [...(cpuRuns.get(s.name) ?? []), r]);
      }
} finally {
  await lab.destroy();
}

const text = report({
  command: `node bench/dhcp/run.ts ${process.argv.slice(2).join(' ')}`.trim(),
  options: o,
  uptimeBefore,
  uptimeAfter: uptime(),
  outcomes,
  cpuRate,
  cpuClean,
  cpuRuns,
});
writeFileSync(o.out, text);
if (o.out !== '/dev/stdout') process.stdout.write(text);
