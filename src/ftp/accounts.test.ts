import assert from 'node:assert/strict';
import { test } from 'node:test';
import { siteWith } from '../../test/lib/site-fixture.ts';
import type { ApplianceModel } from '../config/model.ts';
import { authenticate, mayAccess } from './accounts.ts';

const site = (...a: Parameters<typeof siteWith>): [string, unknown] => [
  a[0],
  siteWith(...a),
];
const modelOf = (...sites: [string, unknown][]): ApplianceModel =>
  ({ sites: new Map(sites) }) as unknown as ApplianceModel;

/** The account a pair logs into when it is confined to these sites (one site: uploads confined to it). */
const confined = (user: string, ...sites: string[]) => ({
  user,
  sites,
  site: sites.length === 1 ? sites[0] : undefined,
});

/** Each [user, password, the account it logs into or undefined]. */
function logins(
  m: ApplianceModel,
  cases: [string, string, ReturnType<typeof authenticate>][],
): void {
  for (const [user, password, want] of cases)
    assert.deepEqual(authenticate(m, user, password), want, user);
}

const model = modelOf(
  site('hq', [{ user: 'hqphones', password: 'pw1' }]),
  site('branch', [{ user: 'branch', password: 'pw2' }]),
);

test('the factory account and site accounts authenticate; wrong passwords do not', () => {
  const everything = { user: 'PlcmSpIp', sites: undefined, site: undefined };
  logins(model, [
    ['PlcmSpIp', 'PlcmSpIp', everything],
    ['hqphones', 'pw1', confined('hqphones', 'hq')],
    ['branch', 'pw2', confined('branch', 'branch')],
    ['hqphones', 'pw2', undefined],
    ['PlcmSpIp', 'plcmspip', undefined],
    ['anonymous', '', undefined],
  ]);
});

test("a site's boot-server credentials log its phones in, confined to it; shared credentials cover every site that gives them", () => {
  const m = modelOf(
    site('hq', [], { protocol: 'ftp', user: 'hqboot', password: 's3cret' }),
    site('lab', [], {
      protocol: 'ftp',
      user: 'PlcmSpIp',
      password: 'PlcmSpIp',
    }),
    site('annex', [], {
      protocol: 'ftp',
      user: 'PlcmSpIp',
      password: 'PlcmSpIp',
    }),
    site('web', [{ user: 'hqboot', password: 'other' }], { protocol: 'http' }),
  );
  logins(m, [
    ['hqboot', 's3cret', confined('hqboot', 'hq')],
    ['hqboot', 'other', confined('hqboot', 'web')],
    // A site gives its phones its own credentials: the factory pair no longer opens the whole tree.
    ['PlcmSpIp', 'PlcmSpIp', confined('PlcmSpIp', 'lab', 'annex')],
  ]);
  const only = modelOf(
    site('hq', [], { protocol: 'ftp', user: 'hqboot', password: 's3cret' }),
  );
  assert.equal(authenticate(only, 'PlcmSpIp', 'PlcmSpIp'), undefined);
});

test("a site's HTTP credentials protect it over FTP too: the factory pair no longer opens it", () => {
  const m = modelOf(
    site('hq', []),
    site('web', [{ user: 'webops', password: 'w3b' }], { protocol: 'http' }),
    site('portal', [], { protocol: 'https', user: 'phones', password: 'p@ss' }),
    site('open', [], { protocol: 'http' }),
  );
  logins(m, [
    ['PlcmSpIp', 'PlcmSpIp', confined('PlcmSpIp', 'hq')],
    ['webops', 'w3b', confined('webops', 'web')],
    ['phones', 'p@ss', confined('phones', 'portal')],
  ]);
  // a site without any credentials does not close the tree to the factory pair
  logins(modelOf(site('hq', []), site('open', [], { protocol: 'http' })), [
    [
      'PlcmSpIp',
      'PlcmSpIp',
      { user: 'PlcmSpIp', sites: undefined, site: undefined },
    ],
  ]);
});

test('site accounts are confined to their sites; the factory account in a plain lab sees everything', () => {
  const siteOf = (p: string): string | undefined =>
    p.startsWith('hq') ? 'hq' : p.startsWith('branch') ? 'branch' : undefined;
  const hq = { user: 'hqphones', sites: ['hq'], site: 'hq' };
  assert.equal(mayAccess(hq, '', siteOf), true);
  assert.equal(mayAccess(hq, 'hq/000000000000.cfg', siteOf), true);
  assert.equal(mayAccess(hq, 'branch/000000000000.cfg', siteOf), false);
  assert.equal(mayAccess(hq, 'ucs-5.9.7/x.ld', siteOf), false);
  assert.equal(
    mayAccess(
      { user: 'both', sites: ['hq', 'branch'], site: undefined },
      'branch/x',
      siteOf,
    ),
    true,
  );
  assert.equal(
    mayAccess(
      { user: 'PlcmSpIp', sites: undefined, site: undefined },
      'branch/x',
      siteOf,
    ),
    true,
  );
});
