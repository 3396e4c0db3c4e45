/** The catalog of an XSD written by us in the structure of Polycom's polycomConfig.xsd (testdata/). */

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { buildCatalog, closest, defaultOf, familyOf } from './catalog.ts';
import { describeType, valueFits } from './types.ts';
import { parseXsd } from './xsd.ts';

const text = readFileSync(
  new URL('./testdata/polycomConfig.xsd', import.meta.url),
  'utf8',
);
const cat = buildCatalog(parseXsd([text]));

test('parse: named simpleTypes, unions with "", global attributes, elements with anyAttribute', () => {
  assert.deepEqual(cat.stats, {
    attributes: 40,
    types: 11,
    enums: 3,
    unions: 1,
    elements: 10,
    anyAttributes: 9,
  });
  assert.deepEqual(cat.params.get('device.syslog.facility')!.type, {
    kind: 'union',
    members: [
      { kind: 'enum', values: [''] },
      { kind: 'integer', min: 0, max: 23 },
    ],
  });
  assert.deepEqual(cat.params.get('reg.1.address')!.type, {
    kind: 'string',
    min: 0,
    max: 256,
  });
  assert.equal(cat.params.get('device.set')!.type.kind, 'boolean');
});

test("documentation on the first index is every index's: description and default", () => {
  const p = cat.params.get('reg.3.server.2.transport')!;
  assert.equal(p.default, 'DNSnaptr');
  assert.match(p.description, /^enum allowed values: "UDPOnly"/);
  assert.equal(p.family, 'reg.N.server.N.transport');
  assert.equal(cat.params.get('dir.local.contacts.maxNum')!.default, '9999');
  assert.equal(cat.params.get('device.set')!.default, '0');
  assert.equal(cat.params.get('device.syslog.transport')!.default, '');
  assert.equal(
    defaultOf('number min 60 max 2147483647 default 86400.'),
    '86400',
  );
});

test('indexed families: ranges of each index; reg.4 on a 3-line release is beyond the range', () => {
  assert.deepEqual(cat.families.get('reg.N.server.N.transport')!.ranges, [
    [1, 3],
    [1, 2],
  ]);
  assert.deepEqual(cat.families.get('lineKey.N.category')!.ranges, [[1, 4]]);
  const l = cat.lookup('reg.4.address');
  assert.ok(
    l.kind === 'index' && l.index === 4 && l.family.pattern === 'reg.N.address',
  );
  const s = cat.lookup('reg.1.server.3.transport');
  assert.ok(s.kind === 'index' && s.position === 1 && s.index === 3);
  assert.deepEqual(familyOf('reg.1.server.2.port'), {
    pattern: 'reg.N.server.N.port',
    indices: [1, 2],
  });
});

test('lookup: known, model-suffixed, unknown with the closest names (indices kept)', () => {
  assert.equal(cat.lookup('reg.2.displayName').kind, 'known');
  const m = cat.lookup('dir.local.contacts.maxNum.VVX500');
  assert.ok(
    m.kind === 'model-suffixed' &&
      m.model === 'VVX500' &&
      m.param.name === 'dir.local.contacts.maxNum',
  );
  assert.deepEqual(cat.lookup('reg.2.adress'), {
    kind: 'unknown',
    suggestions: ['reg.2.address'],
  });
  assert.deepEqual(cat.lookup('Device.Syslog.Servername'), {
    kind: 'unknown',
    suggestions: ['device.syslog.serverName'],
  });
  assert.deepEqual(cat.lookup('completely.different.thing'), {
    kind: 'unknown',
    suggestions: [],
  });
  assert.equal(
    cat.lookup('dir.local.contacts.maxNum.notAModel').kind,
    'unknown',
  );
});

test('values: enumerations, ranges, string lengths, booleans, unions with ""', () => {
  const t = (name: string): Parameters<typeof valueFits>[0] =>
    cat.params.get(name)!.type;
  assert.equal(valueFits(t('reg.1.server.1.transport'), 'DNSnaptr'), true);
  assert.equal(valueFits(t('reg.1.server.1.transport'), 'DNSsnaptr'), false);
  assert.equal(valueFits(t('tcpIpApp.sntp.gmtOffset'), '-43200'), true);
  assert.equal(valueFits(t('tcpIpApp.sntp.gmtOffset'), '-43201'), false);
  assert.equal(valueFits(t('tcpIpApp.sntp.gmtOffset'), '1.5'), false);
  assert.equal(valueFits(t('reg.1.displayName'), 'x'.repeat(64)), true);
  assert.equal(valueFits(t('reg.1.displayName'), 'x'.repeat(65)), false);
  assert.equal(valueFits(t('device.set'), '1'), true);
  assert.equal(valueFits(t('device.set'), 'yes'), false);
  assert.equal(valueFits(t('device.syslog.facility'), ''), true);
  assert.equal(valueFits(t('device.syslog.facility'), '23'), true);
  assert.equal(valueFits(t('device.syslog.facility'), '24'), false);
  assert.equal(
    describeType(t('device.syslog.facility')),
    '"" or integer 0..23',
  );
});

test('suggestions: closest first, bounded', () => {
  assert.deepEqual(
    closest('reg.N.adress', [
      'reg.N.address',
      'reg.N.auth.userId',
      'device.set',
    ]),
    ['reg.N.address'],
  );
  assert.deepEqual(closest('abc', ['xyz']), []);
});
