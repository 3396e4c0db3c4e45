import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { DhcpClass } from '../config/model.ts';
import { matches, selectClasses } from './select.ts';

test('every selector a class names must match; none named matches all', () => {
  assert.equal(matches({}, {}), true);
  assert.equal(
    matches({ family: 'VVX' }, { family: 'VVX', model: 'VVX410' }),
    true,
  );
  assert.equal(
    matches(
      { family: 'VVX', model: 'VVX400' },
      { family: 'VVX', model: 'VVX410' },
    ),
    false,
  );
  assert.equal(
    matches({ vendorClass: 'Polycom-' }, { vendorClass: 'Polycom-VVX410' }),
    true,
  );
  assert.equal(matches({ vendorClass: 'MS-UC-Client' }, {}), false);
  assert.equal(
    matches(
      { site: 'hq', partNumber: '3111-46162-001' },
      { site: 'hq', partNumber: '3111-46162-001' },
    ),
    true,
  );
});

test('selectClasses keeps appliance.yaml order', () => {
  const c = (name: string, match: DhcpClass['match']): DhcpClass => ({
    name,
    match,
    options: [],
  });
  const classes = [
    c('all', {}),
    c('sp', { family: 'SoundPoint' }),
    c('vvx', { family: 'VVX' }),
  ];
  assert.deepEqual(
    selectClasses(classes, { family: 'VVX' }).map((x) => x.name),
    ['all', 'vvx'],
  );
});
