/**
 * TFTP robustness against a raw UDP client in another namespace: the traversal corpus (zero escapes, for RRQ
 * and WRQ), packets from a wrong TID answered with ERROR 5, runts and garbage dropped and counted, duplicate
 * ACKs ignored (no Sorcerer's Apprentice), retransmission with exponential backoff, option negotiation, and
 * the bound on concurrent transfers. Lab: prefix "tftp", subnet 10.91.5.
 */

import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import {
  createTftpLab,
  REPO,
  SMALL,
  SRV,
  type TftpLab,
} from './lib/tftp-lab.ts';

let t: TftpLab | undefined;
let skip: string | false = false;
before(async () => {
  const r = await createTftpLab({
    imageSize: 4096,
    cmds: [],
    maxTransfers: 4,
    retry: '200,800,3',
  });
  if ('skip' in r) skip = r.skip;
  else t = r;
});
after(async () => {
  await t?.destroy();
});
const lab = (): TftpLab => t ?? assert.fail('lab not started');

/** The probe scripts' raw client (open, rrq, wrq, ack, errp, drain, out), run by node inside a namespace. */
const PROBE = join(REPO, 'test/lib/tftp-probe.ts');

async function probe(host: string, body: string): Promise<unknown> {
  const code = `import(${JSON.stringify(PROBE)}).then(async ({ open, rrq, wrq, ack, errp, drain, out }) => { ${body} })
    .then(() => process.exit(0), (e) => { console.error(e); process.exit(3); });`;
  const r = await lab().lab.exec(
    host,
    ['env', `SRV=${SRV}`, process.execPath, '-e', code],
    { timeoutMs: 20_000 },
  );
  return JSON.parse(r.stdout);
}

test('traversal corpus over RRQ and WRQ: zero escapes', async (c) => {
  if (skip) return c.skip(skip);
  const corpus = (
    await readFile(join(REPO, 'test/fixtures/traversal-corpus.txt'), 'utf8')
  )
    .split('\n')
    .filter((l) => l.length > 0);
  assert.ok(corpus.length >= 50, `corpus has ${corpus.length} paths`);
  const res = (await probe(
    'cli',
    `
    const paths = ${JSON.stringify(corpus)};
    const results = [];
    for (const path of paths) {
      for (const kind of ['rrq', 'wrq']) {
        const s = await open();
        await s.to(kind === 'rrq' ? rrq(path) : wrq(path), 69);
        const x = await s.recv(1500);
        const r = { path, kind, first: x ? x.p.op : 'none', code: x && x.p.code, message: x && x.p.message };
        if (x && x.p.op === 'data') r.data = (await drain(s, x)).toString('base64');
        if (x && x.p.op === 'ack') await s.to(errp(0, 'probe: not writing'), x.port);
        results.push(r);
        s.close();
      }
    }
    out(results);`,
  )) as {
    path: string;
    kind: string;
    first: string;
    code?: number;
    message?: string;
    data?: string;
  }[];
  const outside = [await readFile('/etc/passwd'), Buffer.from(lab().sentinel)];
  const escapes: string[] = [];
  for (const r of res) {
    if (r.data !== undefined) {
      const got = Buffer.from(r.data, 'base64');
      if (
        outside.some(
          (o) =>
            got.length > 0 &&
            (got.includes(o.subarray(0, 64)) ||
              o.includes(got.subarray(0, 64))),
        )
      )
        escapes.push(`${r.kind} ${r.path}`);
    }
    if (r.kind === 'wrq')
      assert.notEqual(
        r.first,
        'ack',
        `WRQ ${JSON.stringify(r.path)} must be refused`,
      );
    else
      assert.ok(
        r.first === 'error' || r.first === 'data',
        `RRQ ${JSON.stringify(r.path)} answered (${r.first})`,
      );
    if (r.first === 'error')
      assert.ok(
        [1, 2].includes(r.code!),
        `${r.kind} ${JSON.stringify(r.path)}: error ${r.code} ${r.message}`,
      );
  }
  assert.deepEqual(
    escapes,
    [],
    'no answer carries bytes from outside the tree',
  );
  assert.equal(res.length, corpus.length * 2);
});

test('wrong TID gets ERROR 5, runts and garbage are dropped and counted, duplicate ACKs are ignored', async (c) => {
  if (skip) return c.skip(skip);
  const want = await lab().treeRead(SMALL);
  const before = await lab().stats();
  const r = (await probe(
    'cli',
    `
    const a = await open();
    const b = await open();
    await a.to(Buffer.of(1), 69);                       // runt on the main port
    await a.to(rrq('${SMALL}'), 69);
    const d1 = await a.recv(1000);
    await b.to(ack(1), d1.port);                        // a stranger's ACK
    const stranger = await b.recv(500);
    await a.to(Buffer.of(0), d1.port);                  // runt on the transfer port
    await a.to(Buffer.of(0, 9, 1, 2, 3), d1.port);      // unknown opcode
    await a.to(Buffer.of(0, 4, 0, 1, 0), d1.port);      // ACK with trailing byte
    const quiet1 = await a.recv(60);
    await a.to(ack(1), d1.port);
    const d2 = await a.recv(1000);
    await a.to(ack(1), d1.port);                        // duplicate ACKs: Sorcerer's Apprentice would resend DATA 2
    await a.to(ack(1), d1.port);
    const quiet2 = await a.recv(60);
    const rest = await drain(a, d2);
    out({ d1: d1.p.block, stranger: stranger && stranger.p, quiet1: quiet1 ? quiet1.p : null, d2: d2.p.block, quiet2: quiet2 ? quiet2.p : null,
          data: Buffer.concat([d1.p.data, rest]).toString('base64') });`,
  )) as Record<string, unknown>;
  assert.equal(r.d1, 1);
  assert.deepEqual(r.stranger, {
    op: 'error',
    code: 5,
    message: 'unknown transfer ID',
  });
  assert.equal(r.quiet1, null, 'garbage is not answered');
  assert.equal(r.d2, 2);
  assert.equal(r.quiet2, null, 'duplicate ACKs are not answered');
  assert.deepEqual(
    Buffer.from(r.data as string, 'base64'),
    want,
    'the transfer completed intact despite the noise',
  );
  const after = await lab().stats();
  assert.ok(
    after.malformed - before.malformed >= 4,
    `malformed counted (${after.malformed - before.malformed})`,
  );
  assert.ok(after.wrongTid - before.wrongTid >= 1);
  assert.ok(after.duplicates - before.duplicates >= 2);
});

test('2,000 random datagrams from the peer in mid-transfer: none answered, all counted, the transfer completes intact', async (c) => {
  if (skip) return c.skip(skip);
  const want = await lab().treeRead(SMALL);
  const before = await lab().stats();
  const r = (await probe(
    'cli',
    `
    let seed = 20261121;
    const rnd = (n) => { seed = (Math.imul(seed, 1103515245) + 12345) >>> 0; return seed % n; };
    const a = await open();
    await a.to(rrq('${SMALL}', 'timeout', '5'), 69);       // 5 s between retransmissions: the flood is not answered by one
    const oack = await a.recv(1000);
    for (let i = 0; i < 2000; i++) {
      const b = Buffer.alloc(rnd(40) === 0 ? 1 + rnd(1400) : rnd(9));
      for (let j = 0; j < b.length; j++) b[j] = rnd(256);
      if (b.length >= 2 && rnd(2) === 0) b[1] = 1 + rnd(6);          // half of them with a known opcode
      if (b.length >= 2) b[0] = rnd(8) === 0 ? b[0] : 0;
      const op = b.length >= 2 ? b.readUInt16BE(0) : -1;
      if (op === 4 && b.length === 4) continue;                       // a well-formed ACK would move the transfer on
      if (op === 5 && (b.length < 4 || b.indexOf(0, 4) === -1 || b.indexOf(0, 4) === b.length - 1)) continue; // so would a well-formed ERROR
      await a.to(b, oack.port);
    }
    const quiet = await a.recv(200);
    await a.to(ack(0), oack.port);
    const d1 = await a.recv(1000);
    const rest = await drain(a, d1);
    out({ oack: oack.p.op, quiet: quiet ? quiet.p : null, data: rest.toString('base64') });`,
  )) as Record<string, unknown>;
  assert.equal(r.oack, 'oack');
  assert.equal(r.quiet, null, 'nothing answers garbage from the peer');
  assert.deepEqual(
    Buffer.from(r.data as string, 'base64'),
    want,
    'the transfer completed intact',
  );
  const after = await lab().stats();
  const dropped =
    after.malformed - before.malformed + (after.unexpected - before.unexpected);
  assert.ok(
    dropped >= 1500,
    `garbage counted as malformed or unexpected (${dropped})`,
  );
  assert.equal(after.failed - before.failed, 0);
});

test('retransmits with exponential backoff, then gives up with ERROR 0', async (c) => {
  if (skip) return c.skip(skip);
  const r = (await probe(
    'cli',
    `
    const a = await open();
    await a.to(rrq('${SMALL}'), 69);
    const seen = [];
    for (let x = await a.recv(3000); x; x = await a.recv(3000)) seen.push({ op: x.p.op, block: x.p.block, code: x.p.code, at: x.at });
    out(seen);`,
  )) as { op: string; block?: number; code?: number; at: number }[];
  assert.deepEqual(
    r.map((x) => x.op),
    ['data', 'data', 'data', 'data', 'error'],
    JSON.stringify(r),
  );
  const gaps = r.slice(1).map((x, i) => x.at - r[i]!.at);
  // policy 200 ms doubling, capped at 800 ms: 200, 400, 800, then 800 before giving up
  for (const [i, want] of [200, 400, 800, 800].entries())
    assert.ok(
      gaps[i]! >= want * 0.9 && gaps[i]! < want + 400,
      `gap ${i}: ${gaps[i]} ms, want ~${want}`,
    );
  await lab().event(
    (e) => e.result === 'TFTP_TIMEOUT' && e.direction === 'download',
  );
});

test('options: case-insensitive names, blksize clamped, tsize answered, unknown dropped, no OACK when none accepted', async (c) => {
  if (skip) return c.skip(skip);
  const r = (await probe(
    'cli',
    `
    const a = await open();
    await a.to(rrq('${SMALL}', 'BLKSIZE', '9000', 'TSize', '0', 'WindowSize', '4', 'timeout', '1', 'foo', 'bar'), 69);
    const o = await a.recv(1000);
    await a.to(errp(0, 'enough'), o.port);
    const b = await open();
    await b.to(rrq('${SMALL}', 'foo', 'bar', 'blksize', '4'), 69);
    const d = await b.recv(1000);
    await b.to(errp(0, 'enough'), d.port);
    out({ oack: o.p, plain: { op: d.p.op, block: d.p.block, len: d.p.data && d.p.data.length } });`,
  )) as Record<string, unknown>;
  assert.deepEqual(r.oack, {
    op: 'oack',
    options: { blksize: '1468', tsize: '3000', windowsize: '4', timeout: '1' },
  });
  assert.deepEqual(r.plain, { op: 'data', block: 1, len: 512 });
});

test('past maxTransfers a request gets a clear ERROR; the others proceed', async (c) => {
  if (skip) return c.skip(skip);
  const r = (await probe(
    'other',
    `
    const socks = [];
    for (let i = 0; i < 5; i++) { const s = await open(); socks.push(s); await s.to(rrq('${SMALL}'), 69); }
    const first = [];
    for (const s of socks) first.push(await s.recv(1000));
    for (const [i, x] of first.entries()) if (x && x.p.op === 'data') await socks[i].to(errp(0, 'done'), x.port);
    out(first.map((x) => x && { op: x.p.op, code: x.p.code, message: x.p.message }));`,
  )) as ({ op: string; code?: number; message?: string } | null)[];
  assert.equal(r.filter((x) => x?.op === 'data').length, 4, JSON.stringify(r));
  const refused = r.filter((x) => x?.op === 'error');
  assert.equal(refused.length, 1);
  assert.equal(refused[0]!.code, 0);
  assert.match(refused[0]!.message!, /busy/);
  await lab().event((e) => e.result === 'TFTP_BUSY');
  assert.ok((await lab().stats()).busy >= 1);
});

test('a datagram from source port 0 is dropped and counted; the service keeps serving', async (c) => {
  if (skip) return c.skip(skip);
  const before = await lab().stats();
  // Node cannot send from port 0; a raw socket can (dgram.send to port 0 throws: this once killed the service).
  const py = `import socket,struct
p=b'\\x00\\x01x.cfg\\x00mail\\x00'
s=socket.socket(socket.AF_INET,socket.SOCK_RAW,socket.IPPROTO_UDP)
for _ in range(3): s.sendto(struct.pack('!HHHH',0,69,8+len(p),0)+p,('${SRV}',0))`;
  await lab().lab.exec('cli', ['python3', '-c', py]);
  const res = (await probe(
    'cli',
    `
    const s = await open();
    await s.to(rrq(${JSON.stringify(SMALL)}), 69);
    const x = await s.recv(1500);
    out({ first: x ? x.p.op : 'none' });
    s.close();`,
  )) as { first: string };
  assert.equal(res.first, 'data', 'still serving after port-0 datagrams');
  const after = await lab().stats();
  assert.ok(
    after.malformed >= before.malformed + 3,
    `malformed ${before.malformed} -> ${after.malformed}`,
  );
});
