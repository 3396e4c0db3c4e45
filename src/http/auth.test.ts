import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Site } from '../config/model.ts';
import { authorize, challenge, parseBasic } from './auth.ts';

const site = (
  name: string,
  accounts: { user: string; password: string }[],
  bootServer: { protocol: string; user?: string; password?: string } = {
    protocol: 'ftp',
    user: 'PlcmSpIp',
    password: 'PlcmSpIp',
  },
): Site => ({ name, accounts, bootServer }) as unknown as Site;
const basic = (u: string, p: string): string =>
  `Basic ${Buffer.from(`${u}:${p}`).toString('base64')}`;

test('parseBasic', () => {
  assert.deepEqual(parseBasic(basic('a', 'b:c')), {
    user: 'a',
    password: 'b:c',
  });
  assert.deepEqual(
    parseBasic(`basic  ${Buffer.from('u:').toString('base64')}`),
    { user: 'u', password: '' },
  );
  assert.equal(parseBasic(undefined), undefined);
  assert.equal(parseBasic('Bearer x'), undefined);
  assert.equal(
    parseBasic(`Basic ${Buffer.from('nocolon').toString('base64')}`),
    undefined,
  );
  assert.equal(parseBasic('Basic !!!'), undefined);
});

test('root and sites without accounts are open', () => {
  assert.deepEqual(authorize(undefined, undefined), {
    ok: true,
    confinedToSite: undefined,
    user: undefined,
  });
  assert.equal(authorize(site('hq', []), undefined).ok, true);
});

test('a site with accounts needs one of them', () => {
  const hq = site('hq', [
    { user: 'hquser', password: 'secret' },
    { user: 'ops', password: 'pw' },
  ]);
  assert.deepEqual(authorize(hq, undefined), {
    ok: false,
    realm: 'hq',
    reason: 'missing',
  });
  assert.deepEqual(authorize(hq, basic('hquser', 'wrong')), {
    ok: false,
    realm: 'hq',
    reason: 'invalid',
  });
  assert.deepEqual(authorize(hq, basic('other', 'secret')), {
    ok: false,
    realm: 'hq',
    reason: 'invalid',
  });
  assert.deepEqual(authorize(hq, basic('ops', 'pw')), {
    ok: true,
    confinedToSite: 'hq',
    user: 'ops',
  });
});

test("an http(s) boot-server URL's credentials are required and accepted", () => {
  const web = site('web', [], {
    protocol: 'https',
    user: 'phones',
    password: 'p@ss',
  });
  assert.deepEqual(authorize(web, undefined), {
    ok: false,
    realm: 'web',
    reason: 'missing',
  });
  assert.deepEqual(authorize(web, basic('phones', 'p@ss')), {
    ok: true,
    confinedToSite: 'web',
    user: 'phones',
  });
  assert.equal(
    authorize(site('open', [], { protocol: 'http' }), undefined).ok,
    true,
  );
});

test('challenge', () => {
  assert.equal(challenge('h"q'), 'Basic realm="hq", charset="UTF-8"');
});
