import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  httpDate,
  httpEtag,
  isNotModified,
  parseEtagList,
  rangeStillValid,
} from './conditional.ts';

const mtime = new Date('2026-03-01T10:20:30.456Z');
const etag = httpEtag('abc123');

test('etags are quoted once', () => {
  assert.equal(httpEtag('abc123'), '"abc123"');
  assert.equal(httpEtag('"abc"'), '"abc"');
  assert.equal(httpEtag('a"b'), '"ab"');
});

test('etag lists', () => {
  assert.deepEqual(parseEtagList('*'), ['*']);
  assert.deepEqual(parseEtagList('"a", W/"b" ,"c"'), ['"a"', 'W/"b"', '"c"']);
  assert.deepEqual(parseEtagList('garbage'), []);
});

test('If-None-Match and If-Modified-Since', () => {
  assert.equal(isNotModified({}, etag, mtime), false);
  assert.equal(isNotModified({ ifNoneMatch: '"abc123"' }, etag, mtime), true);
  assert.equal(isNotModified({ ifNoneMatch: 'W/"abc123"' }, etag, mtime), true);
  assert.equal(
    isNotModified({ ifNoneMatch: '"x", "abc123"' }, etag, mtime),
    true,
  );
  assert.equal(isNotModified({ ifNoneMatch: '*' }, etag, mtime), true);
  assert.equal(isNotModified({ ifNoneMatch: '"other"' }, etag, mtime), false);
  // If-None-Match decides alone even when the date would say 304
  assert.equal(
    isNotModified(
      { ifNoneMatch: '"other"', ifModifiedSince: httpDate(mtime) },
      etag,
      mtime,
    ),
    false,
  );
  assert.equal(
    isNotModified({ ifModifiedSince: httpDate(mtime) }, etag, mtime),
    true,
  );
  assert.equal(
    isNotModified(
      { ifModifiedSince: 'Sun, 01 Mar 2026 10:20:29 GMT' },
      etag,
      mtime,
    ),
    false,
  );
  assert.equal(
    isNotModified(
      { ifModifiedSince: 'Mon, 02 Mar 2026 00:00:00 GMT' },
      etag,
      mtime,
    ),
    true,
  );
  assert.equal(
    isNotModified({ ifModifiedSince: 'not a date' }, etag, mtime),
    false,
  );
});

test('If-Range', () => {
  assert.equal(rangeStillValid(undefined, etag, mtime), true);
  assert.equal(rangeStillValid('"abc123"', etag, mtime), true);
  assert.equal(rangeStillValid('"old"', etag, mtime), false);
  assert.equal(rangeStillValid('W/"abc123"', etag, mtime), false);
  assert.equal(rangeStillValid(httpDate(mtime), etag, mtime), true);
  assert.equal(
    rangeStillValid('Sun, 01 Mar 2026 10:00:00 GMT', etag, mtime),
    false,
  );
  assert.equal(rangeStillValid('junk', etag, mtime), false);
});
