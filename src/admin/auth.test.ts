import assert from 'node:assert/strict';
import { test } from 'node:test';
import { tempDir } from '../../test/lib/temp-dir.ts';
import { presentedToken, resolveToken, tokenMatches } from './auth.ts';

test('bearer and basic (any user) carry the token; anything else is refused', () => {
  const t = 'ops-test-token-0123456789';
  assert.equal(tokenMatches(`Bearer ${t}`, t), true);
  assert.equal(
    tokenMatches(`Basic ${Buffer.from(`admin:${t}`).toString('base64')}`, t),
    true,
  );
  assert.equal(
    tokenMatches(`Basic ${Buffer.from(`:${t}`).toString('base64')}`, t),
    true,
  );
  for (const bad of [
    undefined,
    '',
    'Bearer',
    `Bearer ${t}x`,
    `Basic ${Buffer.from(t).toString('base64')}`,
    `Basic !!!`,
    `Token ${t}`,
  ])
    assert.equal(tokenMatches(bad, t), false, String(bad));
  assert.equal(presentedToken('x'.repeat(5000)), undefined);
});

test('a token is generated once and kept', async () => {
  const dir = tempDir('ops-auth-');
  const a = await resolveToken(undefined, dir);
  const b = await resolveToken(undefined, dir);
  assert.equal(a.source, 'generated');
  assert.equal(b.source, 'file');
  assert.equal(a.token, b.token);
  assert.equal(
    (await resolveToken('configured-token-0123', dir)).token,
    'configured-token-0123',
  );
});
