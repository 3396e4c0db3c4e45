/** Each class of mistake gives one clear error at the right line and column; nothing partial is returned. */

import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import { smallYamlHead } from '../../test/lib/small-yaml.ts';
import { formatIssue } from './issues.ts';
import { loadConfigText } from './load.ts';

const GOOD = `${smallYamlHead('http')}  branch:
    subnet: 10.30.0.0/24
    mode: inform-only
phones:
  "00:04:f2:80:62:d6": { site: hq, model: VVX410 }
`;

/** Replace the first occurrence of `from` in GOOD and expect exactly one error at line:col. */
function expectOne(
  from: string,
  to: string,
  line: number,
  col: number,
  pattern: RegExp,
  code?: string,
): void {
  assert.ok(GOOD.includes(from), `fixture lacks ${from}`);
  const r = loadConfigText(GOOD.replace(from, to), 'appliance.yaml');
  assert.equal(r.ok, false, `expected an error for ${to}`);
  if (r.ok) return;
  const errors = r.error.filter((i) => i.severity === 'error');
  assert.equal(errors.length, 1, errors.map(formatIssue).join('\n'));
  const e = errors[0]!;
  assert.equal(`${e.line}:${e.col}`, `${line}:${col}`, formatIssue(e));
  assert.match(formatIssue(e), pattern);
  if (code) assert.equal(e.code, code);
}

test('the good file loads, normalises MACs and builds boot URLs', () => {
  const r = loadConfigText(GOOD, 'appliance.yaml');
  assert.ok(r.ok);
  assert.equal(
    r.value.model.sites.get('hq')!.bootServer.url,
    'http://10.20.0.2/hq',
  );
  assert.ok(r.value.model.phones.has('0004f28062d6' as never));
  assert.ok(
    Object.isFrozen(r.value.model) &&
      Object.isFrozen(r.value.model.sites.get('hq')),
  );
});

test('YAML syntax error', () =>
  expectOne(
    'bootServer: { protocol: http }',
    'bootServer: { protocol: http',
    12,
    3,
    /appliance\.yaml:\d+:\d+ /,
    'CFG_SYNTAX',
  ));
test('duplicate key', () =>
  expectOne(
    '    pool: 10.20.0.100-10.20.0.199\n',
    '    pool: 10.20.0.100-10.20.0.199\n    pool: 10.20.0.100-10.20.0.150\n',
    11,
    5,
    /duplicate key/,
    'CFG_DUPLICATE_KEY',
  ));
test('wrong type', () =>
  expectOne(
    '  interface: eth1',
    '  interface: 7',
    3,
    14,
    /appliance\.interface: expected string/,
    'CFG_TYPE',
  ));
test('unknown key', () =>
  expectOne(
    '    mode: inform-only',
    '    mode: inform-only\n    gateway: 10.30.0.1',
    15,
    5,
    /sites\.branch\.gateway: unknown key "gateway" \(did you mean "router"\?\)/,
    'CFG_UNKNOWN_KEY',
  ));
test('dangling reference: phone → site', () =>
  expectOne(
    '{ site: hq, model',
    '{ site: hw, model',
    16,
    32,
    /phones\.00:04:f2:80:62:d6\.site: no site "hw"/,
    'CFG_REFERENCE',
  ));
test('dangling reference: model → firmware', () =>
  expectOne(
    'defaults: { firmware: ucs }',
    'defaults: { firmware: ucs }\nmodels: { VVX410: { firmware: ucs-6 } }',
    7,
    31,
    /models\.VVX410\.firmware: no firmware release "ucs-6"/,
    'CFG_REFERENCE',
  ));
test('dangling reference: unknown model', () =>
  expectOne(
    'model: VVX410',
    'model: VVX999',
    16,
    43,
    /unknown phone model "VVX999"/,
    'CFG_REFERENCE',
  ));
test('bad MAC', () =>
  expectOne(
    '"00:04:f2:80:62:d6"',
    '"00:04:f2:80:62"',
    16,
    3,
    /phones\.00:04:f2:80:62: "00:04:f2:80:62" is not a MAC address/,
    'CFG_MAC',
  ));
test('bad subnet', () =>
  expectOne(
    '10.20.0.0/24',
    '10.20.0.1/24',
    9,
    13,
    /has host bits set \(did you mean 10\.20\.0\.0\/24\?\)/,
    'CFG_SUBNET',
  ));
test('bad pool', () =>
  expectOne(
    'pool: 10.20.0.100-10.20.0.199',
    'pool: 10.20.0.199-10.20.0.100',
    10,
    11,
    /ends before it starts/,
    'CFG_POOL',
  ));
test('pool outside the subnet', () =>
  expectOne(
    'pool: 10.20.0.100-10.20.0.199',
    'pool: 10.20.1.100-10.20.1.199',
    10,
    11,
    /outside the subnet 10\.20\.0\.0\/24/,
    'CFG_POOL',
  ));
test('overlapping sites', () =>
  expectOne(
    'subnet: 10.30.0.0/24',
    'subnet: 10.20.0.128/25',
    13,
    13,
    /overlaps site "hq"/,
    'CFG_OVERLAP',
  ));

test('the committed appliance.yaml is valid', async () => {
  const r = loadConfigText(
    await readFile(new URL('../../appliance.yaml', import.meta.url), 'utf8'),
    'appliance.yaml',
  );
  assert.ok(r.ok, r.ok ? '' : r.error.map(formatIssue).join('\n'));
});
