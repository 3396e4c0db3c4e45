/**
 * Benchmark: parse a generated 18,000-attribute, 3.6 MB polycomConfig.xsd (generate-xsd.ts), and validate the
 * 10,000-phone file bench/config/run.ts generates against it (both its releases hold the XSD), then render.
 *   node bench/params/run.ts          (writes bench/results/params.md)
 * Goals (issue 13): parse under 1 s; validate (with the parameter check) + render under 1 s.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { loadApplianceText } from '../../src/policy/load.ts';
import { buildCatalog } from '../../src/policy/parameters/catalog.ts';
import { parseXsd } from '../../src/policy/parameters/xsd.ts';
import { renderTree } from '../../src/tree/render/index.ts';
import { generateXsd } from './generate-xsd.ts';

const loadavg = (): string =>
  readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
const before = loadavg();
const ms = (t: number): string => `${t.toFixed(0)} ms`;
const bestMedian = (xs: number[]): string => {
  const s = [...xs].sort((a, b) => a - b);
  return `${ms(s[0]!)} / ${ms(s[Math.floor(s.length / 2)]!)}`;
};

const xsd = generateXsd();
const parses: number[] = [];
let stats;
for (let r = 0; r < 5; r++) {
  const t0 = performance.now();
  stats = buildCatalog(parseXsd([xsd])).stats;
  parses.push(performance.now() - t0);
}

// The 10,000-phone file of the config benchmark, its tftpboot given the XSD in each release's Config/.
const tmp = mkdtempSync(join(tmpdir(), 'bench-params-'));
const yamlFile = join(tmp, 'appliance.yaml');
execFileSync(
  process.execPath,
  [fileURLToPath(new URL('../config/run.ts', import.meta.url)), '10000', '20'],
  { env: { ...process.env, DUMP: yamlFile } },
);
const yaml = readFileSync(yamlFile, 'utf8');
const boot = /tftpboot: ([^,]+),/.exec(yaml)![1]!;
for (const rel of ['ucs', 'sp']) {
  mkdirSync(join(boot, rel, 'Config'), { recursive: true });
  writeFileSync(join(boot, rel, 'Config', 'polycomConfig.xsd'), xsd);
}
const params = (yaml.match(/\b[a-zA-Z]+\.[\w.]+: /g) ?? []).length;

const runs: { load: number; render: number; first: boolean }[] = [];
let findings = 0;
for (let r = 0; r < 6; r++) {
  const t0 = performance.now();
  const loaded = loadApplianceText(yaml, yamlFile);
  const t1 = performance.now();
  if (!loaded.ok)
    throw new Error(
      loaded.error
        .slice(0, 3)
        .map((i) => `${i.line}:${i.col} ${i.message}`)
        .join('\n'),
    );
  findings = loaded.value.warnings.filter((w) =>
    w.code.startsWith('CFG_PARAM'),
  ).length;
  renderTree(loaded.value.model);
  runs.push({ load: t1 - t0, render: performance.now() - t1, first: r === 0 });
}
const warm = runs.filter((r) => !r.first);
const first = runs[0]!;

const table = `# Parameter catalog benchmark: parse polycomConfig.xsd, validate 10,000 phones against it

Command: \`node bench/params/run.ts\` (Node ${process.version}, ${new Date().toISOString().slice(0, 10)}, 2-core machine shared with other engineers)

| what | figure |
|---|---|
| generated XSD (bench/params/generate-xsd.ts) | ${(xsd.length / 1024 / 1024).toFixed(2)} MiB, ${stats!.attributes} attributes, ${stats!.elements} elements |
| **parse + catalog (saxes, cold), best / median of 5** | **${bestMedian(parses)}** (goal < 1000 ms) |
| appliance.yaml (bench/config/run.ts 10000 20) | ${(yaml.length / 1024 / 1024).toFixed(2)} MiB, ~${params} parameter keys |
| first validate, XSD parsed then (cache empty) + render | ${ms(first.load)} + ${ms(first.render)} |
| validate with the parameter check (catalog cached by hash), best / median of 5 | ${bestMedian(warm.map((r) => r.load))} |
| render, best / median of 5 | ${bestMedian(warm.map((r) => r.render))} |
| **validate + render, best / median of 5** | **${bestMedian(warm.map((r) => r.load + r.render))}** (goal < 1000 ms) |
| parameter findings | ${findings} |
| load average before / after (1, 5, 15 min) | ${before} / ${loadavg()} |
`;
process.stdout.write(table);
writeFileSync(new URL('../results/params.md', import.meta.url), table);
