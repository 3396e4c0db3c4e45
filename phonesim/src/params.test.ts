import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  encodeOverrideFile,
  isParamName,
  leftmostWins,
  parseParams,
} from './params.ts';

const SHARED = `<?xml version="1.0" encoding="utf-8" standalone="yes"?>
<!-- Lync shared file (seed 004) -->
<LYNC>
  <device device.set="1" device.baseProfile.set="1" device.baseProfile="Lync"/>
  <registration reg.1.server.1.address="sip.example.net" voice.codecPref.G722="1"/>
</LYNC>`;
const PER_PHONE = `<?xml version="1.0"?><LYNC reg.1.address="vvx400@mslync.net" device.logincred.domain.set="1"
  device.logincred.domain="SCHERTZ" device.logincred.user.set="1" device.logincred.user="vvx400" device.baseProfile="Generic"/>`;

test('every dotted attribute of every element is a parameter; element names carry no meaning', () => {
  const r = parseParams(SHARED);
  assert.ok(r.ok);
  assert.deepEqual(Object.fromEntries(r.value), {
    'device.set': '1',
    'device.baseProfile.set': '1',
    'device.baseProfile': 'Lync',
    'reg.1.server.1.address': 'sip.example.net',
    'voice.codecPref.G722': '1',
  });
});

test('leftmost wins across CONFIG_FILES; a file later in the list fills only what is missing', () => {
  const a = parseParams(PER_PHONE);
  const b = parseParams(SHARED);
  assert.ok(a.ok && b.ok);
  const eff = leftmostWins([a.value, b.value]);
  assert.equal(eff.get('device.baseProfile'), 'Generic'); // per-phone file is left of shared.cfg
  assert.equal(eff.get('reg.1.address'), 'vvx400@mslync.net');
  assert.equal(eff.get('reg.1.server.1.address'), 'sip.example.net');
  const reversed = leftmostWins([b.value, a.value]);
  assert.equal(reversed.get('device.baseProfile'), 'Lync');
});

test('within one file the first occurrence wins; entities decoded; non-parameter attributes ignored', () => {
  const r = parseParams(
    `<X version="1" a.b="1&amp;2"><Y a.b="3" c.d='&lt;x&gt;' e.f="&#65;&#x42;"/></X>`,
  );
  assert.ok(r.ok);
  assert.deepEqual(Object.fromEntries(r.value), {
    'a.b': '1&2',
    'c.d': '<x>',
    'e.f': 'AB',
  });
});

test('isParamName', () => {
  for (const s of [
    'reg.1.address',
    'device.set',
    'up.oneTouchVoiceMail',
    'feature.enhancedFeatureKeys.enabled',
    'a-b.c_d',
  ])
    assert.ok(isParamName(s), s);
  for (const s of ['version', 'APP_FILE_PATH', '.a', 'a.', 'a..b', '1.a'])
    assert.ok(!isParamName(s), s);
});

test('override file round-trips through the parser', () => {
  const m = new Map([
    ['up.backlight.idleIntensity', '1'],
    ['reg.1.displayName', 'Front "desk" & <co>'],
  ]);
  const r = parseParams(encodeOverrideFile(m));
  assert.ok(r.ok);
  assert.deepEqual(r.value, m);
});

test('malformed files are errors, never throws', () => {
  for (const junk of [
    '',
    '<a b="1"',
    '<a b=1/>',
    '<a></b>',
    '<!-- x',
    '<a b="1">',
  ]) {
    const r = parseParams(junk);
    assert.equal(r.ok, false, junk);
    if (!r.ok) assert.equal(r.error.code, 'SIM_XML_MALFORMED');
  }
});
