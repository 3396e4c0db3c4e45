/**
 * Benchmark: validate + render a generated 10,000-phone, 20-site appliance.yaml, and look up rendered files.
 *   node bench/config/run.ts [PHONES] [SITES]      (writes bench/results/config.md)
 * Goal (issue 2): validate + render under 1 s; lookup in microseconds.
 */
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { loadConfigText } from '../../src/config/load.ts';
import { renderTree } from '../../src/tree/render/index.ts';
import { createTree } from '../../src/tree/tree.ts';

const PHONES = Number(process.argv[2] ?? 10_000);
const SITES = Number(process.argv[3] ?? 20);
const models = [
  'VVX410',
  'VVX500',
  'VVX311',
  'SPIP650',
  'SPIP331',
  'SSIP6000',
  'VVX1500',
  'Trio8800',
];

// A tftpboot with every image the models use, so the file validates without warnings.
const boot = await mkdtemp(join(tmpdir(), 'bench-boot-'));
await mkdir(join(boot, 'ucs'));
await mkdir(join(boot, 'sp'));
for (const p of [
  '3111-46162-001',
  '3111-44500-001',
  '3111-48350-001',
  '2345-17960-001',
  '3111-65290-001',
])
  await writeFile(join(boot, 'ucs', `${p}.sip.ld`), '');
for (const p of ['2345-12600-001', '2345-12365-001', '3111-15600-001'])
  await writeFile(join(boot, 'sp', `${p}.sip.ld`), '');

function generate(): string {
  const lines = [
    `appliance: { address: 10.1.0.2, interface: eth1, tftpboot: ${boot}, dataDir: /tmp/bench-data }`,
    'firmware:',
    '  ucs: { version: 5.9.7.4477, folder: ucs }',
    '  sp: { version: 4.0.15.1009, folder: sp }',
    'defaults: { firmware: ucs }',
    'models: { SPIP650: { firmware: sp }, SPIP331: { firmware: sp }, SSIP6000: { firmware: sp } }',
    'parameters: { device.set: 1, tcpIpApp.sntp.address: 10.0.0.2 }',
    'sites:',
  ];
  for (let s = 0; s < SITES; s++) {
    lines.push(
      `  site${s}:`,
      `    subnet: 10.${s + 1}.0.0/16`,
      `    pool: 10.${s + 1}.1.0-10.${s + 1}.250.255`,
      `    router: 10.${s + 1}.0.1`,
      `    relays: [10.${s + 1}.0.1]`,
      `    timeOffset: ${-3600 * (s % 12)}`,
      `    bootServer: { protocol: http, path: site${s} }`,
      `    parameters: { tcpIpApp.sntp.gmtOffset: ${-3600 * (s % 12)}, reg.1.server.1.address: pbx${s}.example }`,
      `    directory: [{ firstName: Front, lastName: Desk${s}, contact: "${s}000", speedDial: 1 }]`,
    );
  }
  lines.push('phones:');
  for (let i = 0; i < PHONES; i++) {
    const mac = (0x0004f2000000 + i)
      .toString(16)
      .padStart(12, '0')
      .replace(/(..)(?!$)/g, '$1:');
    const s = i % SITES;
    lines.push(
      `  "${mac}": { site: site${s}, model: ${models[i % models.length]}, parameters: { reg.1.address: "${10000 + i}", reg.1.auth.userId: "${10000 + i}", reg.1.auth.password: "pw${i}", reg.1.displayName: "Phone ${i}" } }`,
    );
  }
  return `${lines.join('\n')}\n`;
}

const loadBefore = (await import('node:fs'))
  .readFileSync('/proc/loadavg', 'utf8')
  .split(' ')
  .slice(0, 3)
  .join(' ');
const yaml = generate();
if (process.env.DUMP) {
  (await import('node:fs')).writeFileSync(process.env.DUMP, yaml);
  process.exit(0);
}
const runs: { load: number; render: number }[] = [];
let files = 0;
let tree;
for (let r = 0; r < 5; r++) {
  const t0 = performance.now();
  const loaded = loadConfigText(yaml, 'bench.yaml');
  const t1 = performance.now();
  if (!loaded.ok || loaded.value.warnings.length > 0)
    throw new Error(
      (loaded.ok ? loaded.value.warnings : loaded.error)
        .slice(0, 3)
        .map((i) => `${i.line}:${i.col} ${i.message}`)
        .join('\n'),
    );
  const rendered = renderTree(loaded.value.model);
  const t2 = performance.now();
  files = rendered.files.size;
  tree = createTree(loaded.value.model, { rendered });
  runs.push({ load: t1 - t0, render: t2 - t1 });
}
const best = runs.reduce((a, b) =>
  a.load + a.render <= b.load + b.render ? a : b,
);
const median = [...runs].sort(
  (a, b) => a.load + a.render - (b.load + b.render),
)[2]!;

// Lookups: a rendered master, a per-phone file, an unknown MAC's file.
const paths = [
  'site7/000000000000.cfg',
  'site3/0004f2000003-appliance.cfg',
  'site3/0004f2ffffff-appliance.cfg',
  'site9/site.cfg',
];
const N = 200_000;
const t3 = performance.now();
for (let i = 0; i < N; i++) await tree!.stat(paths[i % paths.length]!);
const lookupUs = ((performance.now() - t3) / N) * 1000;

const rss = Math.round(process.memoryUsage().rss / 1024 / 1024);
const table = `# Config benchmark: validate + render a generated appliance.yaml

Command: \`node bench/config/run.ts ${PHONES} ${SITES}\` (Node ${process.version}, ${new Date().toISOString().slice(0, 10)}, 2-core machine)

| what | figure |
|---|---|
| phones / sites | ${PHONES} / ${SITES} |
| YAML size | ${(yaml.length / 1024 / 1024).toFixed(2)} MiB |
| rendered files | ${files} |
| validate (parse + schema + semantic checks), best of 5 | ${best.load.toFixed(0)} ms |
| render, best of 5 | ${best.render.toFixed(0)} ms |
| **validate + render, best / median of 5** | **${(best.load + best.render).toFixed(0)} ms / ${(median.load + median.render).toFixed(0)} ms** (goal < 1000 ms) |
| tree.stat lookup of a rendered file, mean of ${N} | ${lookupUs.toFixed(2)} µs |
| process RSS after the run | ${rss} MiB |
| load average before / after (1, 5, 15 min) | ${loadBefore} / ${(await import('node:fs')).readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')} |
`;
process.stdout.write(table);
await writeFile(new URL('../results/config.md', import.meta.url), table);
