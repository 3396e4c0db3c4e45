/**
 * What the catalog finds in a polycomConfig.xsd (a release's own, say Polycom's public UC 4.0.15 file):
 *   node bench/params/probe-xsd.ts PATH/TO/polycomConfig.xsd [NAME=VALUE ...]
 * prints counts of attributes, types, enumerations, unions, families and the largest index ranges, and the
 * verdict on each NAME=VALUE given (reg.1.server.1.transport=DNSsnaptr).
 */
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { buildCatalog } from '../../src/policy/parameters/catalog.ts';
import { misfit, valueFits } from '../../src/policy/parameters/types.ts';
import { parseXsd } from '../../src/policy/parameters/xsd.ts';

const [file, ...checks] = process.argv.slice(2);
if (!file) {
  process.stderr.write(
    'usage: node bench/params/probe-xsd.ts XSD [NAME=VALUE ...]\n',
  );
  process.exit(2);
}
const text = readFileSync(file, 'utf8');
const t0 = performance.now();
const decl = parseXsd([text]);
const cat = buildCatalog(decl);
const ms = performance.now() - t0;
const enumValues = [...decl.types.values()].reduce(
  (n, t) => n + (t.kind === 'enum' ? t.values.length : 0),
  0,
);
const collapsed = new Set(
  [...cat.params.values()].map((p) => p.family ?? p.name),
).size;
const widest = [...cat.families.values()]
  .sort(
    (a, b) =>
      b.ranges[0]![1] - a.ranges[0]![1] || a.pattern.localeCompare(b.pattern),
  )
  .slice(0, 5);
process.stdout.write(`${file}: ${(text.length / 1e6).toFixed(2)} MB parsed in ${ms.toFixed(0)} ms
attributes ${cat.stats.attributes} (${collapsed} names with indices collapsed), indexed families ${cat.families.size}
named simpleTypes ${cat.stats.types}: enumerations ${cat.stats.enums} (${enumValues} values), unions ${cat.stats.unions}
elements ${cat.stats.elements}, anyAttribute ${cat.stats.anyAttributes}
reg.N.address ${JSON.stringify(cat.families.get('reg.N.address')?.ranges)}, lineKey.N.category ${JSON.stringify(cat.families.get('lineKey.N.category')?.ranges)}
widest families: ${widest.map((f) => `${f.pattern} ${f.ranges.map(([a, b]) => `${a}..${b}`).join(',')}`).join('; ')}
`);
for (const c of checks) {
  const [name = '', value = ''] = c.split(/=(.*)/s);
  const l = cat.lookup(name);
  const verdict =
    l.kind === 'known' || l.kind === 'model-suffixed'
      ? valueFits(l.param.type, value)
        ? 'ok'
        : `error: ${misfit(l.param.type, value)}`
      : l.kind === 'index'
        ? `index ${l.index} beyond ${l.family.pattern}`
        : `unknown (did you mean ${l.suggestions.join(', ') || 'nothing close'}?)`;
  process.stdout.write(`${name}=${value}: ${verdict}\n`);
}
