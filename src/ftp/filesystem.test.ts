import { test } from 'node:test';
import assert from 'node:assert/strict';
import { retrChunk } from './filesystem.ts';

test('RETR chunks: 64 KiB while few downloads run, halving down to 16 KiB as a 32 MiB budget is shared', () => {
  assert.equal(retrChunk(1), 64 * 1024);
  assert.equal(retrChunk(100), 64 * 1024); // 100 × 4 × 64 KiB = 25 MiB
  assert.equal(retrChunk(200), 32 * 1024);
  assert.equal(retrChunk(550), 16 * 1024); // the storm: 550 × 4 × 16 KiB = 34 MiB
  assert.equal(retrChunk(5000), 16 * 1024); // never below 16 KiB
});
