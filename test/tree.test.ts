/** The tree's API as the protocols see it: lookups, bootROM mapping, the may-write rule, safe uploads, traversal. */

import assert from 'node:assert/strict';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Mac } from '../src/shared/mac.ts';
import { createRefusalLog } from '../src/tree/refusals.ts';
import { createTree } from '../src/tree/tree.ts';
import { generations } from '../src/tree/uploads.ts';
import { labYaml } from './lib/lab-yaml.ts';
import {
  createTreeLab,
  dummyImage,
  sha256,
  traversalCorpus,
} from './lib/tree-fixture.ts';

const MAC = '0004f28062d6' as Mac;
/** A phone whose address its lease binds to MAC. */
const ctx = { protocol: 'http' as const, peer: '10.90.0.100', mac: MAC };

test('rendered, per-phone, firmware and bootROM files resolve; unknown MACs get an empty parameter file', async () => {
  const img = dummyImage(100_000);
  const lab = await createTreeLab(
    `${labYaml()}models:\n  SPIP650: { firmware: ucs }\n`,
    {
      'ucs/3111-46162-001.sip.ld': img,
      'ucs/2345-12600-001.bootrom.ld': 'bootrom',
    },
  );
  try {
    const master = await lab.tree.read('hq/000000000000.cfg');
    assert.ok(
      master.ok &&
        master.value.toString().includes('APP_FILE_PATH="ucs/sip.ld"'),
    );
    const fw = await lab.tree.read('/hq/ucs/3111-46162-001.sip.ld');
    assert.ok(fw.ok && sha256(fw.value) === sha256(img));
    const boot = await lab.tree.stat('hq/2345-12600-001.bootrom.ld');
    assert.ok(
      boot.ok && boot.value.size === 7 && boot.value.source === 'tftpboot',
    );
    const own = await lab.tree.read(`hq/${MAC}-appliance.cfg`);
    assert.ok(own.ok && own.value.toString().includes('reg.1.address="1000"'));
    const other = await lab.tree.read('hq/0004f2aabbcc-appliance.cfg');
    assert.ok(other.ok && other.value.toString().includes('<PHONE_CONFIG/>'));
    const range = await lab.tree.open('hq/ucs/3111-46162-001.sip.ld', {
      start: 10,
      end: 19,
    });
    assert.ok(range.ok);
    const chunks: Buffer[] = [];
    for await (const c of range.value.stream) chunks.push(c as Buffer);
    assert.deepEqual(Buffer.concat(chunks), img.subarray(10, 20));
    const listing = await lab.tree.list('hq');
    assert.ok(
      listing.ok &&
        listing.value.some((f) => f.name === 'logs' && f.type === 'dir') &&
        listing.value.some((f) => f.name === '000000000000.cfg'),
    );
    assert.equal((await lab.tree.stat('hq/nothing.cfg')).ok, false);
  } finally {
    await lab.cleanup();
  }
});

test('the may-write rule: only MAC-bound names in writable areas, the right MAC, under the cap', async () => {
  const lab = await createTreeLab(labYaml(), {
    'ucs/3111-46162-001.sip.ld': 'x',
  });
  try {
    const code = (
      p: string,
      c: Parameters<typeof lab.tree.checkWrite>[1] = ctx,
    ): string => {
      const r = lab.tree.checkWrite(p, c);
      return r.ok ? `ok:${r.value.kind}` : r.error.code;
    };
    assert.equal(code(`hq/overrides/${MAC}-phone.cfg`), 'ok:override');
    assert.equal(code(`hq/${MAC}-web.cfg`), 'ok:override');
    assert.equal(code(`hq/logs/${MAC}-boot.log`), 'ok:log');
    assert.equal(code(`hq/calls/${MAC}-calls.xml`), 'ok:calls');
    assert.equal(code(`hq/contacts/${MAC}-directory.xml`), 'ok:contacts');
    assert.equal(code('hq/000000000000.cfg'), 'TREE_READ_ONLY');
    assert.equal(code(`hq/ucs/${MAC}-phone.cfg`), 'TREE_READ_ONLY');
    assert.equal(code('hq/ucs/3111-46162-001.sip.ld'), 'TREE_READ_ONLY');
    assert.equal(code('hq/overrides/notes.txt'), 'TREE_NAME_NOT_ALLOWED');
    assert.equal(code(`hq/logs/${MAC}-phone.cfg`), 'TREE_NAME_NOT_ALLOWED');
    assert.equal(
      code(`hq/${MAC}-phone.cfg`, { ...ctx, mac: '0004f2aabbcc' as Mac }),
      'TREE_MAC_MISMATCH',
    );
    assert.equal(
      code(`hq/${MAC}-phone.cfg`, { ...ctx, declaredSize: 50 * 1024 * 1024 }),
      'TREE_TOO_LARGE',
    );
    assert.equal(
      code(`hq/${MAC}-phone.cfg`, { ...ctx, confinedToSite: 'branch' }),
      'TREE_READ_ONLY',
    );
    assert.equal(code('hq/../x'), 'TREE_BAD_PATH');
  } finally {
    await lab.cleanup();
  }
});

test('an uploader bound to no phone (no lease, no INFORM) writes nothing unless its site allows unknown hosts; refusals are counted and logged once per host a minute', async () => {
  let t = 0;
  const lines: { peer: string; suppressed: number }[] = [];
  const refusals = createRefusalLog({
    now: () => t,
    log: (r) => lines.push({ peer: r.peer, suppressed: r.suppressed }),
  });
  const lab = await createTreeLab(labYaml());
  try {
    const tree = createTree(lab.model, { refusals });
    const stranger = { protocol: 'ftp' as const, peer: '10.90.0.200' };
    for (const p of [
      `hq/${MAC}-phone.cfg`,
      `hq/contacts/${MAC}-directory.xml`,
      `hq/logs/${MAC}-app.log`,
    ]) {
      const r = tree.checkWrite(p, stranger);
      assert.equal(r.ok ? 'ok' : r.error.code, 'TREE_MAC_MISMATCH', p);
      assert.equal(!r.ok && r.error.unknownHost, true);
    }
    assert.equal(
      (await tree.beginUpload(`hq/${MAC}-phone.cfg`, stranger)).ok,
      false,
    );
    assert.equal(
      tree.checkWrite(`hq/${MAC}-phone.cfg`, {
        ...stranger,
        peer: '10.90.0.201',
      }).ok,
      false,
    );
    assert.equal(
      tree.checkWrite(`hq/${MAC}-phone.cfg`, ctx).ok,
      true,
      'the leased phone writes its own file',
    );
    assert.deepEqual(refusals.counts(), { ftp: 5 });
    assert.deepEqual(lines, [
      { peer: '10.90.0.200', suppressed: 0 },
      { peer: '10.90.0.201', suppressed: 0 },
    ]);
    t += 60_000;
    tree.checkWrite(`hq/${MAC}-phone.cfg`, stranger);
    assert.deepEqual(
      lines.at(-1),
      { peer: '10.90.0.200', suppressed: 3 },
      'a minute later: one more line, saying how many were not logged',
    );
  } finally {
    await lab.cleanup();
  }
  const open = await createTreeLab(
    labYaml({
      sites: {
        hq: {
          subnet: '10.90.0.0/24',
          pool: '10.90.0.100-10.90.0.199',
          uploads: '{ allowUnknownHosts: true }',
        },
      },
    }),
  );
  try {
    const r = open.tree.checkWrite(`hq/${MAC}-phone.cfg`, {
      protocol: 'tftp',
      peer: '10.90.0.200',
    });
    assert.equal(
      r.ok && r.value.mac,
      MAC,
      "allowUnknownHosts: the name's MAC is taken as the uploader's",
    );
  } finally {
    await open.cleanup();
  }
});

test('uploads: committed atomically, previous generations kept, an aborted or oversize upload leaves the old file', async () => {
  const lab = await createTreeLab(labYaml());
  try {
    const put = async (body: string): Promise<void> => {
      const u = await lab.tree.beginUpload(`hq/${MAC}-phone.cfg`, ctx);
      assert.ok(u.ok);
      assert.ok((await u.value.write(Buffer.from(body))).ok);
      assert.ok((await u.value.commit()).ok);
    };
    await put('one');
    await put('two');
    const file = join(
      lab.model.dataDir,
      'uploads',
      'hq',
      'overrides',
      `${MAC}-phone.cfg`,
    );
    assert.equal(await readFile(file, 'utf8'), 'two');
    const gens = await generations(file);
    assert.equal(await readFile(gens[0]!, 'utf8'), 'one');
    // Served back at both the area path and the root alias.
    const back = await lab.tree.read(`hq/overrides/${MAC}-phone.cfg`);
    assert.ok(back.ok && back.value.toString() === 'two');
    // Half an upload, then the connection drops.
    const half = await lab.tree.beginUpload(`hq/${MAC}-phone.cfg`, ctx);
    assert.ok(half.ok);
    await half.value.write(Buffer.from('thr'));
    await half.value.abort();
    assert.equal(await readFile(file, 'utf8'), 'two');
    // Over the cap while streaming.
    const big = await lab.tree.beginUpload(`hq/${MAC}-phone.cfg`, ctx);
    assert.ok(big.ok);
    const w = await big.value.write(
      Buffer.alloc(lab.model.uploads.overrides + 1),
    );
    assert.equal(w.ok ? 'ok' : w.error.code, 'TREE_TOO_LARGE');
    assert.equal(await readFile(file, 'utf8'), 'two');
    // No temporary files left behind.
    const dir = await stat(
      join(lab.model.dataDir, 'uploads', 'hq', 'overrides'),
    );
    assert.ok(dir.isDirectory());
  } finally {
    await lab.cleanup();
  }
});

test('traversal corpus: no path reaches a byte outside the tree', async () => {
  const lab = await createTreeLab(labYaml(), {
    'ucs/3111-46162-001.sip.ld': 'x',
  });
  const passwd = await readFile('/etc/passwd', 'utf8');
  try {
    const corpus = await traversalCorpus();
    assert.ok(corpus.length >= 50);
    for (const p of corpus) {
      const r = await lab.tree.read(p);
      if (r.ok)
        assert.ok(
          !r.value.toString().includes(passwd.slice(0, 20)),
          `${p} escaped`,
        );
      assert.equal(
        r.ok,
        false,
        `${p} should be refused or missing, got a file`,
      );
      const w = lab.tree.checkWrite(p, ctx);
      assert.equal(w.ok, false, `${p} should not be writable`);
    }
  } finally {
    await lab.cleanup();
  }
});

test('20 uploads of one file committing at once leave a gapless .history of the last generations', async () => {
  const lab = await createTreeLab(labYaml());
  try {
    const begun = await Promise.all(
      Array.from({ length: 20 }, () =>
        lab.tree.beginUpload(`hq/${MAC}-phone.cfg`, ctx),
      ),
    );
    for (const [i, u] of begun.entries()) {
      assert.ok(u.ok);
      assert.ok((await u.value.write(Buffer.from(`v${i}`))).ok);
    }
    const results = await Promise.all(
      begun.map((u) =>
        u.ok ? u.value.commit() : Promise.reject(new Error('not begun')),
      ),
    );
    assert.ok(results.every((r) => r.ok));
    const file = join(
      lab.model.dataDir,
      'uploads',
      'hq',
      'overrides',
      `${MAC}-phone.cfg`,
    );
    const gens = await generations(file);
    assert.deepEqual(
      gens.map((g) => Number(g.slice(g.lastIndexOf('.') + 1))),
      [1, 2, 3, 4, 5],
      'keepGenerations 5, no gaps',
    );
    const bodies = new Set([
      await readFile(file, 'utf8'),
      ...(await Promise.all(gens.map((g) => readFile(g, 'utf8')))),
    ]);
    assert.equal(
      bodies.size,
      6,
      'six distinct versions: the live file and five before it',
    );
  } finally {
    await lab.cleanup();
  }
});
