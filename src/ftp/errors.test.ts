import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FTP_ERROR_CODES, FtpReplyError, treeReadError, treeWriteError, resultCode } from './errors.ts';

test('every FTP code is documented in docs/errors.md, section FTP', () => {
  const doc = readFileSync(join(import.meta.dirname, '../../docs/errors.md'), 'utf8');
  const section = doc.slice(doc.indexOf('## FTP'), doc.indexOf('\n## ', doc.indexOf('## FTP') + 1));
  for (const code of FTP_ERROR_CODES) assert.match(section, new RegExp(`\`${code}\``), code);
});

test('tree errors map to RFC 959 replies: 550 read, 550/552/553 write, 451 I/O', () => {
  const cases: [Parameters<typeof treeWriteError>[0]['code'], number, number][] = [
    ['TREE_NOT_FOUND', 550, 550], ['TREE_BAD_PATH', 550, 553], ['TREE_READ_ONLY', 550, 550],
    ['TREE_NAME_NOT_ALLOWED', 550, 553], ['TREE_MAC_MISMATCH', 550, 550], ['TREE_TOO_LARGE', 552, 552],
    ['TREE_ESCAPE', 550, 550], ['TREE_IO', 451, 451], ['TREE_IS_DIRECTORY', 550, 553],
  ];
  for (const [code, read, write] of cases) {
    assert.equal(treeReadError({ code, message: 'm' }).replyCode, read, code);
    const w = treeWriteError({ code, message: 'm' });
    assert.equal(w.replyCode, write, code);
    assert.equal(w.message, `${code}: m`);
  }
});

test('resultCode keeps stable codes and files everything else under FTP_DATA_ERROR', () => {
  assert.equal(resultCode(new FtpReplyError('FTP_SHORT_UPLOAD', 426, 'x')), 'FTP_SHORT_UPLOAD');
  assert.equal(resultCode({ code: 'TREE_IO' }), 'TREE_IO');
  assert.equal(resultCode(Object.assign(new Error('x'), { code: 'ECONNRESET' })), 'FTP_DATA_ERROR');
  assert.equal(resultCode(null), 'FTP_DATA_ERROR');
  assert.equal(resultCode('boom'), 'FTP_DATA_ERROR');
});
