/**
 * Contact directories as a phone meets them: <MAC>-directory.xml rendered for every listed phone (its own
 * entries, then the site's), its uploaded edits served back once made, and a read-only site's directory
 * served from appliance.yaml only (dir.local.readonly=1, uploads refused, the file unchanged).
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Mac } from '../src/shared/mac.ts';
import { createTreeLab } from './lib/tree-fixture.ts';

const MAC = '0004f28062d6';
const ctx = { protocol: 'ftp' as const, peer: '10.90.0.100', mac: MAC as Mac };

const yaml = (
  readOnly: boolean,
): string => `appliance: { address: 10.90.0.1, interface: eth0, tftpboot: ./tftpboot, dataDir: ./data }
firmware:
  ucs: { version: 5.9.7.4477, folder: ucs }
defaults: { firmware: ucs }
sites:
  hq:
    subnet: 10.90.0.0/24
    pool: 10.90.0.100-10.90.0.199
    bootServer: { protocol: ftp, path: hq }
    directory:
      readOnly: ${readOnly}
      entries:
        - { firstName: Front, lastName: Desk, contact: "100", speedDial: 1, ringType: 3, autoDivert: true, label: Lobby }
phones:
  "00:04:f2:80:62:d6": { site: hq, model: VVX410, directory: [ { firstName: Ann, lastName: Lee, contact: "sip:ann@pbx.lab", buddyWatch: true } ] }
`;

async function put(
  lab: Awaited<ReturnType<typeof createTreeLab>>,
  path: string,
  body: string,
): Promise<string> {
  const u = await lab.tree.beginUpload(path, ctx);
  if (!u.ok) return u.error.code;
  assert.ok((await u.value.write(Buffer.from(body))).ok);
  assert.ok((await u.value.commit()).ok);
  return 'ok';
}

test("a listed phone's <MAC>-directory.xml: its entries then the site's, all fields; its own edits served back", async () => {
  const lab = await createTreeLab(yaml(false));
  try {
    for (const path of [
      `hq/${MAC}-directory.xml`,
      `hq/contacts/${MAC}-directory.xml`,
    ]) {
      const r = await lab.tree.read(path);
      assert.ok(r.ok, path);
      const text = r.value.toString();
      assert.match(
        text,
        /<item>\s*<ln>Lee<\/ln>\s*<fn>Ann<\/fn>\s*<ct>sip:ann@pbx\.lab<\/ct>\s*<bw>1<\/bw>\s*<\/item>\s*<item>\s*<ln>Desk<\/ln>\s*<fn>Front<\/fn>\s*<ct>100<\/ct>\s*<sd>1<\/sd>\s*<rt>3<\/rt>\s*<ad>1<\/ad>\s*<lb>Lobby<\/lb>\s*<\/item>/,
      );
    }
    const site = await lab.tree.read('hq/site.cfg');
    assert.ok(site.ok && !site.value.toString().includes('dir.local.readonly'));
    assert.equal(
      await put(
        lab,
        `hq/contacts/${MAC}-directory.xml`,
        '<directory>edited</directory>',
      ),
      'ok',
    );
    const back = await lab.tree.read(`hq/contacts/${MAC}-directory.xml`);
    assert.ok(
      back.ok && back.value.toString() === '<directory>edited</directory>',
    );
  } finally {
    await lab.cleanup();
  }
});

test('a read-only directory: dir.local.readonly=1, the upload refused, the rendered file unchanged', async () => {
  const lab = await createTreeLab(yaml(true));
  try {
    const site = await lab.tree.read('hq/site.cfg');
    assert.ok(
      site.ok && site.value.toString().includes('dir.local.readonly="1"'),
    );
    const before = await lab.tree.read(`hq/contacts/${MAC}-directory.xml`);
    assert.ok(before.ok);
    const refused = lab.tree.checkWrite(
      `hq/contacts/${MAC}-directory.xml`,
      ctx,
    );
    assert.ok(
      !refused.ok &&
        refused.error.code === 'TREE_READ_ONLY' &&
        /read-only directory/.test(refused.error.message),
    );
    assert.equal(
      await put(lab, `hq/contacts/${MAC}-directory.xml`, 'edited'),
      'TREE_READ_ONLY',
    );
    const after = await lab.tree.read(`hq/contacts/${MAC}-directory.xml`);
    assert.ok(after.ok && after.value.equals(before.value));
  } finally {
    await lab.cleanup();
  }
});
