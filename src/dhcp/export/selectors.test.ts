/** The option 60 forms the exporters match are exactly ones the appliance's decoder reads as that model. */

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { loadApplianceText } from '../../policy/load.ts';
import { decodeVendorClass } from '../../policy/vendor-class.ts';
import { exportDnsmasq } from './dnsmasq.ts';
import { matchedModels, option60Forms } from './selectors.ts';

const text = readFileSync(
  new URL('../../../test/fixtures/export/appliance.yaml', import.meta.url),
  'utf8',
);
const loaded = loadApplianceText(text, '/fixture/appliance.yaml');
if (!loaded.ok) throw new Error(JSON.stringify(loaded.error));
const model = loaded.value.model;

test('every catalog model: its binary list and ASCII forms decode to it', () => {
  for (const token of model.models.keys()) {
    const f = option60Forms(model, token);
    assert.ok(f.binaryList, `${token} has a binary form`);
    const full = Uint8Array.of(
      0x00,
      0x00,
      0x36,
      0x3d,
      f.binaryList.length,
      ...f.binaryList,
    );
    assert.equal(decodeVendorClass(full).model, token, `binary ${token}`);
    for (const a of f.ascii)
      assert.equal(
        decodeVendorClass(Buffer.from(a)).model,
        token,
        `ASCII ${a}`,
      );
  }
  assert.deepEqual(option60Forms(model, 'VVX410').ascii, [
    'Polycom-VVX410',
    'Polycom-VVX-410',
    'Poly-VVX410',
    'Poly-VVX-410',
  ]);
});

test('matchedModels: family, model and part number select catalog models; unknown tokens pass through', () => {
  assert.deepEqual(
    matchedModels(model, {
      family: 'SoundStation',
      partNumber: '3111-15600-001',
    }),
    ['SSIP6000'],
  );
  assert.deepEqual(matchedModels(model, { model: 'VVX9999' }), ['VVX9999']);
  assert.deepEqual(
    matchedModels(model, { model: 'VVX9999', family: 'VVX' }),
    [],
  );
  assert.equal(matchedModels(model, { site: 'hq' }), undefined);
});

test("dnsmasq: a model whose strings extend another's (VVX1500) is excluded from the shorter (VVX150)", () => {
  const d = exportDnsmasq(model).text;
  assert.match(
    d,
    /^tag-if=set:v60-VVX150,tag:v60-binary,tag:v60b-VVX150,tag:!v60b-VVX1500$/m,
  );
  assert.match(d, /^tag-if=set:v60-VVX150,tag:v60a-VVX150,tag:!v60a-VVX1500$/m);
  assert.match(
    d,
    /^dhcp-vendorclass=set:v60b-SSIP6000,SoundStationIP-SSIP_6000$/m,
  );
});
