import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  bootServerFromOptions,
  vlanFromOptions,
} from './boot-server-select.ts';

const t = (s: string): Uint8Array => new TextEncoder().encode(s);

test('boot server modes', () => {
  const both = new Map([
    [66, t('tftp://10.0.0.1')],
    [160, t('http://10.0.0.2/p')],
  ]);
  const only66 = new Map([[66, t('tftp://10.0.0.1')]]);
  const s = (mode: 'option66' | 'custom' | 'static' | 'custom+66') => ({
    mode,
    customOption: 160,
    customType: 'string' as const,
  });
  assert.equal(bootServerFromOptions(both, s('option66')), 'tftp://10.0.0.1');
  assert.equal(bootServerFromOptions(both, s('custom')), 'http://10.0.0.2/p');
  assert.equal(
    bootServerFromOptions(both, s('custom+66')),
    'http://10.0.0.2/p',
  );
  assert.equal(
    bootServerFromOptions(only66, s('custom+66')),
    'tftp://10.0.0.1',
  );
  assert.equal(bootServerFromOptions(only66, s('custom')), undefined);
  assert.equal(bootServerFromOptions(both, s('static')), undefined);
  assert.equal(
    bootServerFromOptions(new Map([[150, Uint8Array.of(10, 0, 0, 9)]]), {
      mode: 'custom',
      customOption: 150,
      customType: 'ip',
    }),
    '10.0.0.9',
  );
});

test('VLAN discovery: fixed options in order, custom option, invalid strings ignored', () => {
  for (const [options, mode, want] of [
    [
      [
        [144, 'VLAN-A=0x0a;'],
        [128, 'VLAN-A=200+300;'],
      ],
      'fixed',
      200,
    ],
    [
      [
        [128, 'VLAN-B=1;'],
        [191, 'VLAN-A=012;'],
      ],
      'fixed',
      10,
    ],
    [[[129, 'VLAN-A=7;']], 129, 7],
    [[[128, 'VLAN-A=7;']], 'off', undefined],
  ] as const)
    assert.equal(
      vlanFromOptions(new Map(options.map(([k, v]) => [k, t(v)])), mode),
      want,
      JSON.stringify(options),
    );
});
