import assert from 'node:assert/strict';
import { once } from 'node:events';
import { test } from 'node:test';
import type { Mac } from '../shared/mac.ts';
import type { Result } from '../shared/result.ts';
import type { TreeError, Upload } from '../tree/types.ts';
import { UploadStream } from './upload-stream.ts';

function fakeUpload(cap = 1000): Upload & { data: Buffer[]; state: string } {
  const u = {
    data: [] as Buffer[],
    state: 'open',
    target: {
      path: 'hq/0004f28062d6-phone.cfg',
      site: 'hq',
      kind: 'override' as const,
      mac: '0004f28062d6' as Mac,
      maxBytes: cap,
    },
    async write(chunk: Uint8Array): Promise<Result<void, TreeError>> {
      u.data.push(Buffer.from(chunk));
      const n = u.data.reduce((a, b) => a + b.length, 0);
      return n > cap
        ? { ok: false, error: { code: 'TREE_TOO_LARGE', message: 'cap' } }
        : { ok: true, value: undefined };
    },
    async commit(): Promise<Result<{ bytes: number }, TreeError>> {
      u.state = 'committed';
      return {
        ok: true,
        value: { bytes: u.data.reduce((a, b) => a + b.length, 0) },
      };
    },
    async abort(): Promise<void> {
      u.state = 'aborted';
    },
  };
  return u;
}

const closeOf = (s: UploadStream): Promise<void> =>
  new Promise((r) => {
    s.once('close', () => r());
  });

const opts = (
  o: Partial<ConstructorParameters<typeof UploadStream>[1]> = {},
): ConstructorParameters<typeof UploadStream>[1] => ({
  declaredSize: undefined,
  controlAlive: () => true,
  controlClosed: new Promise(() => {}),
  graceMs: 5,
  onBytes: () => {},
  ...o,
});

test('a clean end with the client still there commits', async () => {
  const u = fakeUpload();
  const s = new UploadStream(u, opts());
  const _closed = closeOf(s);
  s.end(Buffer.from('hello'));
  await once(s, 'finish');
  assert.equal(u.state, 'committed');
  assert.equal(s.committed, 5);
});

// Five bytes sent against an ALLO size: the error's field that says why, and its value.
for (const [title, declaredSize, field, want] of [
  [
    'a short upload against ALLO aborts with FTP_SHORT_UPLOAD',
    10,
    'code',
    'FTP_SHORT_UPLOAD',
  ],
  [
    'more bytes than ALLO announced abort with TREE_TOO_LARGE (552)',
    3,
    'replyCode',
    552,
  ],
] as const)
  test(title, async () => {
    const u = fakeUpload();
    const s = new UploadStream(u, opts({ declaredSize }));
    const closed = closeOf(s);
    s.end(Buffer.from('hello'));
    const [e] = await once(s, 'error');
    assert.equal((e as Record<string, unknown>)[field], want);
    await closed;
    assert.equal(u.state, 'aborted');
  });

test('the control connection closing during the grace period aborts (a killed client)', async () => {
  const u = fakeUpload();
  let alive = true;
  let closed!: () => void;
  const s = new UploadStream(
    u,
    opts({
      graceMs: 1000,
      controlAlive: () => alive,
      controlClosed: new Promise((r) => {
        closed = r;
      }),
    }),
  );
  const streamClosed = closeOf(s);
  s.end(Buffer.from('half a file'));
  setTimeout(() => {
    alive = false;
    closed();
  }, 10);
  const [e] = await once(s, 'error');
  assert.equal((e as { code: string }).code, 'FTP_CLIENT_GONE');
  await streamClosed;
  assert.equal(u.state, 'aborted');
});

test('the tree refusing a chunk (over its cap) aborts; destroy aborts', async () => {
  const u = fakeUpload(4);
  const s = new UploadStream(u, opts());
  const closed = closeOf(s);
  s.write(Buffer.from('hello'));
  const [e] = await once(s, 'error');
  assert.equal((e as { code: string }).code, 'TREE_TOO_LARGE');
  await closed;
  assert.equal(u.state, 'aborted');
  const u2 = fakeUpload();
  const s2 = new UploadStream(u2, opts());
  const closeds2 = closeOf(s2);
  s2.write(Buffer.from('x'));
  s2.on('error', () => {});
  s2.destroy(new Error('gone'));
  await closeds2;
  assert.equal(u2.state, 'aborted');
});
