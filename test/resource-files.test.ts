/**
 * Resource files asked for at the site root come from the release the asking phone runs (issue 12), with real
 * clients in network namespaces (prefix "res", subnet 10.91.23): phone "cli" (.2, a VVX 410 on UC 5.9.7) and
 * phone "other" (.3, a SoundPoint IP 650 on UC 4.0.15), each known by its stubbed lease, fetch the same root
 * path over TFTP (tftp-hpa), FTP (curl) and HTTP (curl) and each gets its own release's dictionary; over HTTP
 * an unleased host is known by its User-Agent, and an unknown phone gets the default release.
 */
import assert from 'node:assert/strict';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileServicesSuite } from './lib/file-services-suite.ts';
import { waitFor } from './lib/netns.ts';
import { labSkip, OTHER_MAC, PHONE_MAC } from './lib/service-lab.ts';

const SUBNET = '10.91.23';
const SRV = `${SUBNET}.1`;
const DICT =
  'SoundPointIPLocalization/Italian_Italy/SoundPointIP-dictionary.xml';
const skip = await labSkip('res', ['curl', 'tftp']);
const YAML = `appliance:
  address: ${SRV}
  interface: eth0
  tftpboot: ./tftpboot
  dataDir: ./data
  services:
    ftp: { enabled: true, port: 21, pasvMin: 40500, pasvMax: 40520 }
    http: { enabled: true, port: 80 }
    tftp: { enabled: true, port: 69 }
firmware:
  ucs597: { version: 5.9.7.4477, folder: ucs-5.9.7 }
  ucs4015: { version: 4.0.15.1009, folder: ucs-4.0.15 }
defaults: { firmware: ucs597 }
models:
  SPIP650: { firmware: ucs4015 }
sites:
  hq:
    subnet: ${SUBNET}.0/24
    pool: ${SUBNET}.100-${SUBNET}.199
    bootServer: { protocol: ftp, path: "" }
phones:
  "${PHONE_MAC}": { site: hq, model: VVX410 }
  "${OTHER_MAC}": { site: hq, model: SPIP650 }
`;

const suite = fileServicesSuite({
  skip,
  prefix: 'res',
  subnet: SUBNET,
  dir: {
    tmpPrefix: 'res-it-',
    yaml: YAML,
    imageSize: 1024,
    seed: 0x52,
    files: {
      [`ucs-5.9.7/${DICT}`]: Buffer.from('dictionary of UC 5.9.7\n'),
      [`ucs-4.0.15/${DICT}`]: Buffer.from('dictionary of UC 4.0.15\n'),
    },
  },
  hosts: ['srv', 'cli', 'other', 'stranger'],
  also: ['http', 'tftp'],
});

/** Fetch DICT at the root from a host, over a protocol, into a file; returns what arrived. */
async function fetch(
  host: string,
  proto: 'tftp' | 'ftp' | 'http',
  extra: string[] = [],
): Promise<string> {
  const out = join(suite.app().dir, `${host}-${proto}.xml`);
  await rm(out, { force: true });
  const argv =
    proto === 'tftp'
      ? ['tftp', '-m', 'binary', SRV, '-c', 'get', DICT, out]
      : [
          'curl',
          '-s',
          '-S',
          '-f',
          '--ftp-pasv',
          '--max-time',
          '20',
          ...extra,
          '-o',
          out,
          proto === 'ftp'
            ? `ftp://PlcmSpIp:PlcmSpIp@${SRV}/${DICT}`
            : `http://${SRV}/${DICT}`,
        ];
  const r = await suite.lab().lab.exec(host, argv, {
    allowFail: true,
    timeoutMs: 30_000,
  });
  assert.equal(r.code, 0, `${host} ${proto}: ${r.stderr}`);
  return readFile(out, 'utf8');
}

test('a dictionary at the root comes from the release each phone runs, over TFTP, FTP and HTTP', {
  skip,
}, async () => {
  for (const proto of ['tftp', 'ftp', 'http'] as const) {
    assert.equal(
      await fetch('cli', proto),
      'dictionary of UC 5.9.7\n',
      `${proto}: the VVX 410 (UC 5.9.7)`,
    );
    assert.equal(
      await fetch('other', proto),
      'dictionary of UC 4.0.15\n',
      `${proto}: the SoundPoint IP 650 (UC 4.0.15)`,
    );
  }
});

test('over HTTP a phone without a lease is known by its User-Agent; an unknown one gets the default release', {
  skip,
}, async () => {
  const ua = (s: string): string[] => ['-A', s];
  assert.equal(
    await fetch(
      'stranger',
      'http',
      ua(
        'FileTransport PolycomSoundPointIP-SPIP_650-UA/4.0.15.1009 Type/Application',
      ),
    ),
    'dictionary of UC 4.0.15\n',
  );
  assert.equal(
    await fetch(
      'stranger',
      'http',
      ua('FileTransport PolycomVVX-VVX_410-UA/5.9.7.4477 Type/Application'),
    ),
    'dictionary of UC 5.9.7\n',
  );
  assert.equal(
    await fetch('stranger', 'http'),
    'dictionary of UC 5.9.7\n',
    'the default release',
  );
  await waitFor(
    () =>
      suite.service('http').stderr().includes('"release":"ucs4015"') ||
      undefined,
    5_000,
    'the transfer log line names the release that answered',
  );
});
