import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { HTTP_ERROR_CODES, statusForTreeError } from './errors.ts';

test('every HTTP error code is documented in the HTTP section of docs/errors.md', async () => {
  const doc = await readFile(new URL('../../docs/errors.md', import.meta.url), 'utf8');
  const start = doc.indexOf('\n## HTTP\n');
  assert.ok(start >= 0, 'docs/errors.md has an HTTP section');
  const next = doc.indexOf('\n## ', start + 1);
  const section = doc.slice(start, next < 0 ? undefined : next);
  for (const code of HTTP_ERROR_CODES) assert.ok(section.includes(`\`${code}\``), code);
});

test('tree errors map to the statuses the docs give', () => {
  assert.equal(statusForTreeError('TREE_BAD_PATH', 'download'), 400);
  assert.equal(statusForTreeError('TREE_NOT_FOUND', 'download'), 404);
  assert.equal(statusForTreeError('TREE_IS_DIRECTORY', 'download'), 404);
  assert.equal(statusForTreeError('TREE_IS_DIRECTORY', 'upload'), 409);
  for (const c of ['TREE_READ_ONLY', 'TREE_NAME_NOT_ALLOWED', 'TREE_MAC_MISMATCH', 'TREE_ESCAPE'] as const) assert.equal(statusForTreeError(c, 'upload'), 403);
  assert.equal(statusForTreeError('TREE_TOO_LARGE', 'upload'), 413);
  assert.equal(statusForTreeError('TREE_IO', 'upload'), 500);
});
