/**
 * Boot storm: N simulated phones power on at once (a PoE switch power-cycled, seed 002), for each protocol
 * against (a) the appliance (`appliance run`) and (b) the classic stack serving the very same files
 * (`appliance render --out DIR`: dnsmasq for DHCP and TFTP, vsftpd for FTP, nginx for HTTP), same script, same
 * phones, same dummy images of realistic size per family (lab.ts). By default the link between the server and
 * the phones is shaped to 1 Gbit/s (tbf on the hub's veths), so each row also reads against the physical limit:
 * time ÷ (bytes downloaded ÷ line rate). Optional fault run (--fault): kill -9 the appliance mid-storm and
 * restart it (fault.ts).
 *
 *   node bench/storm/run.ts [--phones 200] [--protocol tftp,http] [--stacks appliance,classic] [--rate 1gbit|none]
 *                           [--mix SPIP650=45,SSIP6000=10,VVX410=45] [--scale 1] [--vvx-current]
 *                           [--fault] [--kill-at SECONDS] [--pin] [--json FILE]
 * Without --vvx-current every phone upgrades (VVX: the 49 MB image); with it the VVX phones already run the
 * served UCS (they read sip.ver and skip the image). --pin: servers on CPU 0, the simulator on CPU 1
 * (taskset), each end's receive path on its own CPU (RPS). The appliance runs with its admin API on (10.91.8.1:8080),
 * as appliance.yaml's default has it; STORM_ADMIN=off turns it off to compare (not with STORM_DIAG, which reads
 * /metrics). Env: STORM_ADMIN, STORM_DIAG, STORM_PERF, STORM_NODE_FLAGS, STORM_MEMPROBE (with STORM_HEAPSNAP,
 * memprobe.ts), STORM_KEEP_DATA, STORM_LOG_LEVEL, STORM_SIM_ARGS, STORM_SIM_NODE_FLAGS.
 * Lab: namespaces "simb…", 10.91.8.0/21 inside them only. Needs root, dnsmasq, vsftpd, nginx, tc.
 */

import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { applianceStack } from './appliance-stack.ts';
import { classicStack } from './classic-stack.ts';
import { ADMIN_ON } from './diag.ts';
import { modelList, type Protocol, parseRate } from './lab.ts';
import type { StackResult, StormSpec } from './stacks.ts';

const { values: a } = parseArgs({
  options: {
    phones: { type: 'string', default: '200' },
    protocol: { type: 'string', default: 'tftp,http' },
    stacks: { type: 'string', default: 'appliance,classic' },
    rate: { type: 'string', default: '1gbit' },
    fault: { type: 'boolean', default: false },
    pin: { type: 'boolean', default: false },
    mix: { type: 'string', default: 'SPIP650=45,SSIP6000=10,VVX410=45' },
    scale: { type: 'string', default: '1' },
    json: { type: 'string' },
    'kill-at': { type: 'string' },
    'vvx-current': { type: 'boolean', default: false },
  },
});
const N = Number(a.phones);
const RATE = parseRate(a.rate!);
const models = modelList(a.mix!, N);
const protocols = a.protocol!.split(',') as Protocol[];
const spec = (proto: Protocol): StormSpec => ({
  models,
  proto,
  scale: Number(a.scale),
  rateBps: RATE,
  pin: a.pin!,
  vvxCurrent: a['vvx-current']!,
});

const results: StackResult[] = [];
for (const proto of protocols) {
  for (const s of a.stacks!.split(',')) {
    process.stderr.write(`storm: ${N} phones, ${proto}, stack ${s}\n`);
    results.push(
      s === 'classic'
        ? await classicStack(spec(proto))
        : await applianceStack(spec(proto), false),
    );
  }
  if (a.fault) {
    process.stderr.write(`storm: ${N} phones, ${proto}, kill -9 mid-storm\n`);
    const normal = results.find((r) => r.proto === proto && !r.fault);
    const killAt = a['kill-at']
      ? Number(a['kill-at'])
      : normal
        ? Math.max(2, Math.round((0.4 * normal.sim.aggregate.wallMs) / 1000))
        : 10;
    results.push(await applianceStack(spec(proto), true, killAt));
  }
}

const counts: Record<string, number> = {};
for (const m of models) counts[m] = (counts[m] ?? 0) + 1;
console.log(
  `phones ${N} (${Object.entries(counts)
    .map(([m, c]) => `${c} ${m}`)
    .join(', ')}), image scale ${a.scale}, ${
    a['vvx-current']
      ? 'VVX flash already on the served 5.9.7.4477 (no VVX image download)'
      : 'every phone upgrades'
  }, link ${RATE ? `${RATE / 1e9} Gbit/s (tbf on both hub veths)` : 'unshaped'}, appliance's admin API ${ADMIN_ON ? 'on' : 'off (STORM_ADMIN=off)'}${a.pin ? ', servers pinned to CPU 0 and the simulator to CPU 1' : ''}`,
);
const cols = [
  'stack',
  'provisioned',
  'total time (s)',
  'bytes down (MB)',
  'line-rate limit (s)',
  'time ÷ limit',
  'p50 (s)',
  'p99 (s)',
  'retries',
  'failed by step',
  'peak RSS (MiB)',
  'server CPU (s)',
  'phonesim CPU (s)',
  'phonesim CPU ÷ wall',
];
console.log(`| ${cols.join(' | ')} |`);
console.log(`|${cols.map(() => '---').join('|')}|`);
const list = (o: Record<string, number>, f: (v: number) => string): string =>
  Object.entries(o)
    .map(([k, v]) => `${k} ${f(v)}`)
    .join(', ');
for (const r of results) {
  // bytesDown is in every phonesim report (phonesim/src/report.ts), not in the tests' SimJson.
  const g = r.sim.aggregate as typeof r.sim.aggregate & { bytesDown: number };
  const limitS = RATE ? (g.bytesDown * 8) / RATE : 0;
  const wallS = g.wallMs / 1000;
  console.log(
    `| ${[
      r.stack,
      `${g.provisioned}/${g.phones}`,
      wallS.toFixed(1),
      (g.bytesDown / 1e6).toFixed(0),
      limitS ? limitS.toFixed(1) : '—',
      limitS ? (wallS / limitS).toFixed(2) : '—',
      (g.p50Ms / 1000).toFixed(1),
      (g.p99Ms / 1000).toFixed(1),
      g.retries,
      JSON.stringify(g.failedBySteps),
      list(r.peakRssKb, (v) => (v / 1024).toFixed(0)),
      list(r.cpuS, (v) => v.toFixed(1)),
      r.simCpuS.toFixed(1),
      (r.simCpuS / (r.simWallMs / 1000)).toFixed(2),
    ].join(' | ')} |`,
  );
}
for (const proto of protocols) {
  const app = results.find(
    (r) => r.proto === proto && !r.fault && r.stack.startsWith('appliance'),
  );
  const classic = results.find(
    (r) => r.proto === proto && r.stack.startsWith('dnsmasq'),
  );
  if (app && classic)
    console.log(
      `${proto}: ratio appliance / classic total time ${(app.sim.aggregate.wallMs / classic.sim.aggregate.wallMs).toFixed(2)}`,
    );
}
for (const r of results)
  if (r.fault)
    console.log(`fault run (${r.proto}): ${JSON.stringify(r.fault)}`);
if (a.json)
  await writeFile(
    a.json,
    JSON.stringify(
      results.map((r) => ({
        stack: r.stack,
        proto: r.proto,
        rateBps: RATE,
        aggregate: r.sim.aggregate,
        peakRssKb: r.peakRssKb,
        cpuS: r.cpuS,
        simCpuS: r.simCpuS,
        simWallMs: r.simWallMs,
        fault: r.fault,
      })),
      null,
      1,
    ),
  );
