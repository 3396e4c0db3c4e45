import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ApplianceModel } from '../config/model.ts';
import { authenticate, mayAccess } from './accounts.ts';

const site = (
  name: string,
  accounts: { user: string; password: string }[],
  bootServer?: { protocol: string; user?: string; password?: string },
): [string, unknown] => [name, { name, accounts, bootServer }];
const modelOf = (...sites: [string, unknown][]): ApplianceModel =>
  ({ sites: new Map(sites) }) as unknown as ApplianceModel;

const model = modelOf(
  site('hq', [{ user: 'hqphones', password: 'pw1' }]),
  site('branch', [{ user: 'branch', password: 'pw2' }]),
);

test('the factory account and site accounts authenticate; wrong passwords do not', () => {
  assert.deepEqual(authenticate(model, 'PlcmSpIp', 'PlcmSpIp'), {
    user: 'PlcmSpIp',
    sites: undefined,
    site: undefined,
  });
  assert.deepEqual(authenticate(model, 'hqphones', 'pw1'), {
    user: 'hqphones',
    sites: ['hq'],
    site: 'hq',
  });
  assert.deepEqual(authenticate(model, 'branch', 'pw2'), {
    user: 'branch',
    sites: ['branch'],
    site: 'branch',
  });
  assert.equal(authenticate(model, 'hqphones', 'pw2'), undefined);
  assert.equal(authenticate(model, 'PlcmSpIp', 'plcmspip'), undefined);
  assert.equal(authenticate(model, 'anonymous', ''), undefined);
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
  assert.deepEqual(authenticate(m, 'hqboot', 's3cret'), {
    user: 'hqboot',
    sites: ['hq'],
    site: 'hq',
  });
  assert.deepEqual(authenticate(m, 'hqboot', 'other'), {
    user: 'hqboot',
    sites: ['web'],
    site: 'web',
  });
  // A site gives its phones its own credentials: the factory pair no longer opens the whole tree.
  assert.deepEqual(authenticate(m, 'PlcmSpIp', 'PlcmSpIp'), {
    user: 'PlcmSpIp',
    sites: ['lab', 'annex'],
    site: undefined,
  });
  const only = modelOf(
    site('hq', [], { protocol: 'ftp', user: 'hqboot', password: 's3cret' }),
  );
  assert.equal(authenticate(only, 'PlcmSpIp', 'PlcmSpIp'), undefined);
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
