import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  FtpReplyError,
  resultCode,
  treeReadError,
  treeWriteError,
} from './errors.ts';

test('tree errors map to RFC 959 replies: 550 read, 550/552/553 write, 451 I/O', () => {
  const cases: [
    Parameters<typeof treeWriteError>[0]['code'],
    number,
    number,
  ][] = [
    ['TREE_NOT_FOUND', 550, 550],
    ['TREE_BAD_PATH', 550, 553],
    ['TREE_READ_ONLY', 550, 550],
    ['TREE_NAME_NOT_ALLOWED', 550, 553],
    ['TREE_MAC_MISMATCH', 550, 550],
    ['TREE_TOO_LARGE', 552, 552],
    ['TREE_ESCAPE', 550, 550],
    ['TREE_IO', 451, 451],
    ['TREE_IS_DIRECTORY', 550, 553],
  ];
  for (const [code, read, write] of cases) {
    assert.equal(treeReadError({ code, message: 'm' }).replyCode, read, code);
    const w = treeWriteError({ code, message: 'm' });
    assert.equal(w.replyCode, write, code);
    assert.equal(w.message, `${code}: m`);
  }
});

test('resultCode keeps stable codes and files everything else under FTP_DATA_ERROR', () => {
  assert.equal(
    resultCode(new FtpReplyError('FTP_SHORT_UPLOAD', 426, 'x')),
    'FTP_SHORT_UPLOAD',
  );
  assert.equal(resultCode({ code: 'TREE_IO' }), 'TREE_IO');
  assert.equal(
    resultCode(Object.assign(new Error('x'), { code: 'ECONNRESET' })),
    'FTP_DATA_ERROR',
  );
  assert.equal(resultCode(null), 'FTP_DATA_ERROR');
  assert.equal(resultCode('boom'), 'FTP_DATA_ERROR');
});
