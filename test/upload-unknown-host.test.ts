/**
 * Uploads are bound to a known phone (issue #16, item 1), with real clients in network namespaces (prefix "upk",
 * subnet 10.91.21): host "stranger" (.4) holds no lease, so its FTP (curl), HTTP (curl PUT) and TFTP (curl)
 * writes of phone PHONE_MAC's override are refused and change nothing, logged once for the host; the phone
 * itself ("cli", .2, PHONE_MAC by its stubbed lease) uploads the same file over each protocol.
 */

import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileServicesSuite } from './lib/file-services-suite.ts';
import {
  hqUpload,
  labApplianceYaml,
  labSkip,
  PHONE_MAC,
} from './lib/service-lab.ts';

const SUBNET = '10.91.21';
const SRV = `${SUBNET}.1`;
const skip = await labSkip('upload', ['curl']);
const YAML = labApplianceYaml({
  subnet: SUBNET,
  overrideCap: 64 * 1024,
  bootServer: '{ protocol: ftp, path: hq }',
  services:
    '    ftp: { enabled: true, port: 21, pasvMin: 40400, pasvMax: 40420 }\n    http: { enabled: true, port: 80 }\n    tftp: { enabled: true, port: 69 }\n',
});

const suite = fileServicesSuite({
  skip,
  prefix: 'upk',
  subnet: SUBNET,
  dir: { tmpPrefix: 'upk-it-', yaml: YAML, imageSize: 1024, seed: 0x51 },
  hosts: ['srv', 'cli', 'other', 'stranger'],
  also: ['http', 'tftp'],
});

const override = (): string =>
  hqUpload(suite.app().dir, 'overrides', `${PHONE_MAC}-phone.cfg`);
const URL: Record<string, string> = {
  ftp: `ftp://PlcmSpIp:PlcmSpIp@${SRV}/hq/${PHONE_MAC}-phone.cfg`,
  http: `http://${SRV}/hq/${PHONE_MAC}-phone.cfg`,
  tftp: `tftp://${SRV}/hq/${PHONE_MAC}-phone.cfg`,
};
const put = (host: string, file: string, url: string) =>
  suite
    .lab()
    .lab.exec(
      host,
      [
        'curl',
        '-s',
        '-S',
        '-f',
        '--ftp-pasv',
        '--max-time',
        '20',
        '-T',
        file,
        url,
      ],
      { allowFail: true, timeoutMs: 30_000 },
    );

test("an unleased host cannot write another phone's override over FTP, HTTP or TFTP; the phone itself can", {
  skip,
}, async () => {
  const mine = join(suite.app().dir, 'mine.cfg');
  const evil = join(suite.app().dir, 'evil.cfg');
  for (const proto of ['ftp', 'http', 'tftp']) {
    await writeFile(
      mine,
      `<PHONE_CONFIG><OVERRIDES up.by="${proto}"/></PHONE_CONFIG>\n`,
    );
    const own = await put('cli', mine, URL[proto]!);
    assert.equal(
      own.code,
      0,
      `${proto}: the leased phone uploads its own file: ${own.stderr}`,
    );
    assert.equal(
      await readFile(override(), 'utf8'),
      await readFile(mine, 'utf8'),
    );

    await writeFile(
      evil,
      '<PHONE_CONFIG><OVERRIDES voIpProt.server.1.address="evil"/></PHONE_CONFIG>\n',
    );
    for (let i = 0; i < 3; i++) {
      const r = await put('stranger', evil, URL[proto]!);
      assert.notEqual(r.code, 0, `${proto}: the unleased host must be refused`);
      assert.equal(
        await readFile(override(), 'utf8'),
        await readFile(mine, 'utf8'),
        `${proto}: the phone's file is unchanged`,
      );
    }
  }
  // contacts too (a name outside overrides/)
  const dir = join(suite.app().dir, 'dir.xml');
  await writeFile(dir, '<directory/>\n');
  const c = await put(
    'stranger',
    dir,
    `http://${SRV}/hq/contacts/${PHONE_MAC}-directory.xml`,
  );
  assert.notEqual(c.code, 0);
  assert.equal(
    existsSync(
      hqUpload(suite.app().dir, 'contacts', `${PHONE_MAC}-directory.xml`),
    ),
    false,
  );

  // Each service says why (the refusal code), once for the host however many attempts it made.
  const ftpEvent = await suite
    .lab()
    .event(
      (e) => e.direction === 'upload' && e.peer === `${SUBNET}.4`,
      'ftp refusal',
    );
  assert.equal(ftpEvent.result, 'TREE_MAC_MISMATCH');
  const httpEvent = await suite
    .service('http')
    .event(
      (e) => e.direction === 'upload' && e.peer === `${SUBNET}.4`,
      'http refusal',
    );
  assert.equal(httpEvent.result, 'TREE_MAC_MISMATCH');
  const tftpEvent = await suite
    .service('tftp')
    .event(
      (e) => e.direction === 'upload' && e.peer === `${SUBNET}.4`,
      'tftp refusal',
    );
  assert.equal(tftpEvent.result, 'TREE_MAC_MISMATCH');
  for (const [name, s] of [
    ['ftp', suite.lab()],
    ['http', suite.service('http')],
    ['tftp', suite.service('tftp')],
  ] as const) {
    const lines = s
      .stderr()
      .split('\n')
      .filter((l) => l.includes('"reason":"unknown-host"'));
    assert.equal(
      lines.length,
      1,
      `${name}: one log line for the host, not one per attempt:\n${lines.join('\n')}`,
    );
    assert.match(lines[0]!, new RegExp(`"peer":"${SUBNET}\\.4"`));
  }
});
