import assert from 'node:assert/strict';
import { test } from 'node:test';
import { planFromArgs } from './cli-plan.ts';

test('phones get consecutive MACs and models round-robin; options reach every phone', () => {
  const r = planFromArgs([
    '--count',
    '4',
    '--model',
    'SPIP650,VVX410',
    '--mac-base',
    '64:16:7f:00:00:fe',
    '--option60',
    'ascii',
    '--vlan',
    'fixed',
    '--boot-server-mode',
    'option66',
    '--user-change',
    'a.b=1',
    '--uploads',
    'best-effort',
  ]);
  assert.ok(r.ok);
  const phones = r.value.sim.phones;
  assert.deepEqual(
    phones.map((p) => p.id.mac),
    ['64167f0000fe', '64167f0000ff', '64167f000100', '64167f000101'],
  );
  assert.deepEqual(
    phones.map((p) => p.id.model.model),
    ['SPIP650', 'VVX410', 'SPIP650', 'VVX410'],
  );
  assert.equal(phones[0]!.option60, 'ascii');
  assert.equal(phones[0]!.vlan, 'fixed');
  assert.equal(phones[0]!.bootServer.mode, 'option66');
  assert.equal(phones[3]!.userChange?.get('a.b'), '1');
  assert.equal(phones[3]!.uploads, 'best-effort');
  assert.equal(phones[0]!.flashVersions.app, '4.0.0.0000');
  assert.equal(r.value.dhcp, true);
});

test('usage errors carry SIM_BAD_ARGS or SIM_UNKNOWN_MODEL', () => {
  const cases: [string[], string][] = [
    [['--count', 'x'], 'SIM_BAD_ARGS'],
    [['--option60', 'hex'], 'SIM_BAD_ARGS'],
    [['--vlan', '12'], 'SIM_BAD_ARGS'],
    [['--no-dhcp'], 'SIM_BAD_ARGS'],
    [['--bogus'], 'SIM_BAD_ARGS'],
    [['--mac-base', 'xyz'], 'SIM_BAD_ARGS'],
    [['--model', 'VVX9999'], 'SIM_UNKNOWN_MODEL'],
    [['--phone', '0004f2000001'], 'SIM_BAD_ARGS'],
  ];
  for (const [argv, code] of cases) {
    const r = planFromArgs(argv);
    assert.equal(r.ok ? 'ok' : r.error.code, code, argv.join(' '));
  }
});

test('--phone MAC=MODEL lists phones one by one', () => {
  const r = planFromArgs([
    '--phone',
    '00-04-F2-80-62-D6=VVX400',
    '--phone',
    '0004.f2a6.af1b=SPIP331',
  ]);
  assert.ok(r.ok);
  assert.deepEqual(
    r.value.sim.phones.map((p) => `${p.id.mac}=${p.id.model.model}`),
    ['0004f28062d6=VVX400', '0004f2a6af1b=SPIP331'],
  );
});

test('flash versions per model', () => {
  const r = planFromArgs([
    '--count',
    '2',
    '--model',
    'SPIP650,VVX410',
    '--app-version',
    '3.3.0.1',
    '--app-version',
    'VVX410=5.9.7.4477',
    '--boot-version',
    'SPIP650=4.4.0.0000',
  ]);
  assert.ok(r.ok);
  assert.deepEqual(
    r.value.sim.phones.map((p) => p.flashVersions),
    [
      { app: '3.3.0.1', boot: '4.4.0.0000' },
      { app: '5.9.7.4477', boot: '4.0.0.0000' },
    ],
  );
});
