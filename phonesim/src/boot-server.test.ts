import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseBootServer } from './boot-server.ts';

test('boot-server forms a phone accepts', () => {
  const cases: [string, object][] = [
    [
      'ftp://PlcmSpIp:PlcmSpIp@10.20.0.2/hq',
      {
        protocol: 'ftp',
        host: '10.20.0.2',
        port: 21,
        user: 'PlcmSpIp',
        password: 'PlcmSpIp',
        base: 'hq',
        masterFile: undefined,
      },
    ],
    [
      'http://10.0.0.1/prov/',
      {
        protocol: 'http',
        host: '10.0.0.1',
        port: 80,
        user: undefined,
        base: 'prov',
      },
    ],
    [
      'https://u:p%40ss@prov.example.com:8443/a/b',
      {
        protocol: 'https',
        host: 'prov.example.com',
        port: 8443,
        user: 'u',
        password: 'p@ss',
        base: 'a/b',
      },
    ],
    [
      'tftp://10.1.1.1',
      { protocol: 'tftp', host: '10.1.1.1', port: 69, base: '' },
    ],
    [
      '10.1.1.1',
      {
        protocol: 'ftp',
        host: '10.1.1.1',
        user: 'PlcmSpIp',
        password: 'PlcmSpIp',
        base: '',
      },
    ],
    [
      'http://usr:pwd@server/dir/example1.cfg',
      {
        protocol: 'http',
        host: 'server',
        base: 'dir',
        masterFile: 'example1.cfg',
      },
    ],
  ];
  for (const [input, want] of cases) {
    const r = parseBootServer(input);
    assert.ok(r.ok, input);
    for (const [k, v] of Object.entries(want))
      assert.equal(
        (r.value as unknown as Record<string, unknown>)[k],
        v,
        `${input} ${k}`,
      );
  }
});

test('bad boot-server values are errors', () => {
  for (const s of [
    '',
    '0.0.0.0',
    'gopher://x',
    'http://',
    'a b',
    'http://h:99999/',
  ]) {
    const r = parseBootServer(s);
    assert.equal(r.ok ? '' : r.error.code, 'SIM_BAD_BOOT_SERVER', s);
  }
});
