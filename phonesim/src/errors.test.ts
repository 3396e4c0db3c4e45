import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

test('every SIM_ error code is documented in docs/errors.md, section "Phone simulator"', () => {
  const src = readFileSync(new URL('./errors.ts', import.meta.url), 'utf8');
  const codes = [...src.matchAll(/'(SIM_[A-Z_]+)'/g)].map((m) => m[1]!);
  assert.ok(codes.length >= 10);
  const doc = readFileSync(new URL('../../docs/errors.md', import.meta.url), 'utf8');
  const section = doc.slice(doc.indexOf('## Phone simulator'));
  assert.ok(section.startsWith('## Phone simulator'));
  for (const c of codes) assert.ok(section.includes(`\`${c}\``), `${c} documented`);
});
