import assert from 'node:assert/strict';
import { test } from 'node:test';
import { siteWith } from '../../test/lib/site-fixture.ts';
import type { Site } from '../config/model.ts';
import { authorize, challenge, parseBasic } from './auth.ts';

const site = (...a: Parameters<typeof siteWith>): Site =>
  siteWith(...a) as unknown as Site;
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

const OPEN = { ok: true, confinedToSite: undefined, user: undefined };
const refused = (realm: string, reason: 'missing' | 'invalid') => ({
  ok: false,
  realm,
  reason,
});
const admitted = (site: string, user: string) => ({
  ok: true,
  confinedToSite: site,
  user,
});

test('root, sites without accounts and sites with only the factory pair are open', () => {
  assert.deepEqual(authorize(undefined, undefined), OPEN);
  assert.deepEqual(authorize(site('hq', []), undefined), OPEN);
  assert.deepEqual(
    authorize(site('open', [], { protocol: 'http' }), undefined),
    OPEN,
  );
});

test("a site's credentials are required and accepted, whichever protocol its boot-server URL names", () => {
  const hq = site('hq', [
    { user: 'hquser', password: 'secret' },
    { user: 'ops', password: 'pw' },
  ]);
  const web = site('web', [], {
    protocol: 'https',
    user: 'phones',
    password: 'p@ss',
  });
  // the FTP account its phones boot with protects the same files over HTTP
  const ftpSite = site('lab', [], {
    protocol: 'ftp',
    user: 'labphones',
    password: 'f7p',
  });
  const cases: [Site, string | undefined, object][] = [
    [hq, undefined, refused('hq', 'missing')],
    [hq, basic('hquser', 'wrong'), refused('hq', 'invalid')],
    [hq, basic('other', 'secret'), refused('hq', 'invalid')],
    [hq, basic('ops', 'pw'), admitted('hq', 'ops')],
    // hq's phones boot with the factory pair over FTP: FTP accepts it for hq, and so does HTTP
    [hq, basic('PlcmSpIp', 'PlcmSpIp'), admitted('hq', 'PlcmSpIp')],
    [web, undefined, refused('web', 'missing')],
    [web, basic('phones', 'p@ss'), admitted('web', 'phones')],
    [ftpSite, undefined, refused('lab', 'missing')],
    [ftpSite, basic('PlcmSpIp', 'PlcmSpIp'), refused('lab', 'invalid')],
    [ftpSite, basic('labphones', 'f7p'), admitted('lab', 'labphones')],
  ];
  for (const [s, header, want] of cases)
    assert.deepEqual(authorize(s, header), want, `${s.name} ${header}`);
});

test('challenge', () => {
  assert.equal(challenge('h"q'), 'Basic realm="hq", charset="UTF-8"');
});
