import assert from 'node:assert/strict';
import { test } from 'node:test';
import { statusForTreeError } from './errors.ts';

test('tree errors map to the statuses the docs give', () => {
  assert.equal(statusForTreeError('TREE_BAD_PATH', 'download'), 400);
  assert.equal(statusForTreeError('TREE_NOT_FOUND', 'download'), 404);
  assert.equal(statusForTreeError('TREE_IS_DIRECTORY', 'download'), 404);
  assert.equal(statusForTreeError('TREE_IS_DIRECTORY', 'upload'), 409);
  for (const c of [
    'TREE_READ_ONLY',
    'TREE_NAME_NOT_ALLOWED',
    'TREE_MAC_MISMATCH',
    'TREE_ESCAPE',
  ] as const)
    assert.equal(statusForTreeError(c, 'upload'), 403);
  assert.equal(statusForTreeError('TREE_TOO_LARGE', 'upload'), 413);
  assert.equal(statusForTreeError('TREE_IO', 'upload'), 500);
});
