import assert from 'node:assert/strict';
import { test } from 'node:test';
import { prng } from '../../../test/lib/prng.ts';
import { createFramer } from './framing.ts';

const strings = (frames: Buffer[]): string[] => frames.map((f) => f.toString());

test('LF framing (CR LF accepted) and octet counting, mixed in one stream', () => {
  const f = createFramer(1024);
  const out = f.push(Buffer.from('<13>one\n<13>two\r\n9 <13>three\n'));
  assert.deepEqual(strings(out.frames), ['<13>one', '<13>two', '<13>three']);
  assert.equal(f.pending(), 0);
});

test('frames split at every byte boundary come out whole', () => {
  const stream = Buffer.from('9 <13>hello5 <13>a<14>line\n12 <13>counted!');
  for (let cut = 0; cut <= stream.length; cut++) {
    const f = createFramer(64);
    const got = [
      ...f.push(stream.subarray(0, cut)).frames,
      ...f.push(stream.subarray(cut)).frames,
    ].map(String);
    assert.deepEqual(
      got,
      ['<13>hello', '<13>a', '<14>line', '<13>counted!'],
      `cut ${cut}`,
    );
  }
});

test('oversized frames are skipped and counted without being buffered; a bad count is a framing error', () => {
  const f = createFramer(16);
  let out = f.push(Buffer.from(`${'x'.repeat(40)}`));
  assert.equal(out.oversized, 1);
  assert.equal(f.pending(), 0);
  out = f.push(Buffer.from('still the long line\n<13>ok\n100 '));
  assert.deepEqual(strings(out.frames), ['<13>ok']);
  assert.equal(out.oversized, 1); // the 100-octet frame announced
  out = f.push(Buffer.from(`${'y'.repeat(100)}<13>next\n`));
  assert.deepEqual(strings(out.frames), ['<13>next']);
  assert.equal(out.oversized, 0);
  const bad = createFramer(16);
  assert.equal(bad.push(Buffer.from('12x <13>a')).error, 'SYSLOG_FRAMING');
  assert.equal(bad.push(Buffer.from('<13>a\n')).error, 'SYSLOG_FRAMING');
  assert.equal(
    createFramer(16).push(Buffer.from('123456789 x')).error,
    'SYSLOG_FRAMING',
  );
});

test('end() returns an unterminated last line, never a half octet-counted frame', () => {
  const f = createFramer(64);
  f.push(Buffer.from('<13>a\n<13>tail'));
  assert.equal(f.end()?.toString(), '<13>tail');
  const g = createFramer(64);
  g.push(Buffer.from('20 <13>short'));
  assert.equal(g.end(), undefined);
});

test('fuzz: 5,000 seeded random streams in random chunks never throw and never hold more than maxFrame + 9 bytes', () => {
  const rnd = prng(0xf4a3);
  const alphabet = Buffer.from('0123456789 <>\n\r\0abc');
  for (let i = 0; i < 5_000; i++) {
    const f = createFramer(32);
    const len = Math.floor(rnd() * 400);
    const s = Buffer.alloc(len);
    for (let j = 0; j < len; j++)
      s[j] =
        rnd() < 0.8
          ? alphabet[Math.floor(rnd() * alphabet.length)]!
          : Math.floor(rnd() * 256);
    let at = 0;
    while (at < len) {
      const n = 1 + Math.floor(rnd() * 50);
      const out = f.push(s.subarray(at, at + n));
      for (const fr of out.frames) assert.ok(fr.length <= 32);
      assert.ok(f.pending() <= 32 + 9, `#${i}: holds ${f.pending()}`);
      at += n;
    }
    f.end();
  }
});
