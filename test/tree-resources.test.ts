/**
 * Resource files asked for at the site root (dictionaries, sounds, sip.ver) come from the folder of the
 * release the asking phone runs: known by its MAC, else its User-Agent's model; unknown phones get the default.
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Mac } from '../src/shared/mac.ts';
import { createTreeLab } from './lib/tree-fixture.ts';

const DICT =
  'SoundPointIPLocalization/Italian_Italy/SoundPointIP-dictionary.xml';
const yaml = `appliance: { address: 10.90.0.1, interface: eth0, tftpboot: ./tftpboot, dataDir: ./data }
firmware:
  new: { version: 5.9.7.4477, folder: ucs-5.9.7 }
  old: { version: 4.0.15.1009, folder: ucs-4.0.15 }
defaults: { firmware: new }
models:
  SPIP650: { firmware: old }
sites:
  hq:
    subnet: 10.90.0.0/24
    pool: 10.90.0.100-10.90.0.199
    bootServer: { protocol: ftp, path: hq }
phones:
  "00:04:f2:00:00:01": { site: hq, model: VVX410 }
  "00:04:f2:00:00:02": { site: hq, model: SPIP650 }
`;

test('a dictionary at the root: from the release of the phone that asks', async () => {
  const lab = await createTreeLab(yaml, {
    [`ucs-5.9.7/${DICT}`]: 'dictionary 5.9.7',
    [`ucs-4.0.15/${DICT}`]: 'dictionary 4.0.15',
    'ucs-4.0.15/LoudRing.wav': 'ring 4.0.15',
    'sip.ver': 'root',
  });
  try {
    const read = async (
      path: string,
      who?: { mac?: Mac; userAgent?: string },
    ): Promise<string> => {
      const r = await lab.tree.read(path, who);
      return r.ok ? r.value.toString() : r.error.code;
    };
    assert.equal(
      await read(`hq/${DICT}`, { mac: '0004f2000001' as Mac }),
      'dictionary 5.9.7',
    );
    assert.equal(
      await read(`hq/${DICT}`, { mac: '0004f2000002' as Mac }),
      'dictionary 4.0.15',
    );
    assert.equal(
      await read(`hq/${DICT}`, {
        userAgent:
          'FileTransport PolycomSoundPointIP-SPIP_650-UA/4.0.15.1009 Type/Application',
      }),
      'dictionary 4.0.15',
    );
    assert.equal(
      await read(`hq/${DICT}`),
      'dictionary 5.9.7',
      'an unknown phone gets the default release',
    );
    assert.equal(
      await read('hq/LoudRing.wav', { mac: '0004f2000002' as Mac }),
      'ring 4.0.15',
    );
    assert.equal(
      await read('hq/LoudRing.wav', { mac: '0004f2000001' as Mac }),
      'TREE_NOT_FOUND',
      'not in the VVX release',
    );
    assert.equal(
      await read('hq/sip.ver', { mac: '0004f2000002' as Mac }),
      'root',
      'tftpboot/ as it is wins',
    );
    const info = await lab.tree.stat(`hq/${DICT}`, {
      mac: '0004f2000002' as Mac,
    });
    assert.ok(
      info.ok &&
        info.value.release === 'old' &&
        info.value.source === 'tftpboot',
    );
    const opened = await lab.tree.open(`hq/${DICT}`, {
      who: { mac: '0004f2000002' as Mac },
    });
    assert.ok(opened.ok);
    const chunks: Buffer[] = [];
    for await (const c of opened.value.stream) chunks.push(c as Buffer);
    assert.equal(Buffer.concat(chunks).toString(), 'dictionary 4.0.15');
  } finally {
    await lab.cleanup();
  }
});

test('a bootROM missing from its release folder is read from the tftpboot root', async () => {
  const lab = await createTreeLab(yaml, {
    '2345-12600-001.bootrom.ld': 'root bootrom',
  });
  try {
    const r = await lab.tree.read('hq/2345-12600-001.bootrom.ld');
    assert.ok(
      r.ok && r.value.toString() === 'root bootrom',
      r.ok ? '' : r.error.code,
    );
    const s = await lab.tree.stat('hq/2345-12600-001.bootrom.ld');
    assert.ok(
      s.ok && s.value.release === undefined,
      'answered by tftpboot/, not a release',
    );
  } finally {
    await lab.cleanup();
  }
});
