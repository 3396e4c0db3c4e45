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
  assert.equal(
    vlanFromOptions(
      new Map([
        [144, t('VLAN-A=0x0a;')],
        [128, t('VLAN-A=200+300;')],
      ]),
      'fixed',
    ),
    200,
  );
  assert.equal(
    vlanFromOptions(
      new Map([
        [128, t('VLAN-B=1;')],
        [191, t('VLAN-A=012;')],
      ]),
      'fixed',
    ),
    10,
  );
  assert.equal(vlanFromOptions(new Map([[129, t('VLAN-A=7;')]]), 129), 7);
  assert.equal(
    vlanFromOptions(new Map([[128, t('VLAN-A=7;')]]), 'off'),
    undefined,
  );
});
