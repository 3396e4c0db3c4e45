/**
 * A site's FTP credentials protect the same files over HTTP (issue 16, point 7), with curl in network
 * namespaces (prefix "hauth", subnet 10.91.27): site hq's phones boot from ftp://hqboot:…@…/hq. Over HTTP,
 * hq's files need those credentials (Basic auth) for reads and writes, as FTP needs them; the factory pair,
 * refused by FTP there, is refused by HTTP too; the root of the tree stays open. src/http/auth.ts.
 */
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileServicesSuite } from './lib/file-services-suite.ts';
import {
  IMAGE,
  labApplianceYaml,
  labSkip,
  PHONE_MAC,
} from './lib/service-lab.ts';

const SUBNET = '10.91.27';
const SRV = `${SUBNET}.1`;
const BOOT = 'hqboot:b00t-pw';
const FACTORY = 'PlcmSpIp:PlcmSpIp';
const skip = await labSkip('hauth', ['curl']);
const YAML = labApplianceYaml({
  subnet: SUBNET,
  overrideCap: 64 * 1024,
  bootServer: '{ protocol: ftp, path: hq, user: hqboot, password: b00t-pw }',
  services:
    '    ftp: { enabled: true, port: 21, pasvMin: 40700, pasvMax: 40720 }\n    http: { enabled: true, port: 80 }\n',
});

const suite = fileServicesSuite({
  skip,
  prefix: 'hauth',
  subnet: SUBNET,
  dir: { tmpPrefix: 'hauth-it-', yaml: YAML, imageSize: 4096, seed: 0x27 },
  also: ['http'],
});

/** curl from the phone host: the status code (FTP or HTTP) and, with -o, the file it wrote. */
async function curl(args: string[]): Promise<{ code: number; status: string }> {
  const r = await suite
    .lab()
    .lab.exec(
      'cli',
      [
        'curl',
        '-s',
        '--ftp-pasv',
        '--max-time',
        '20',
        '-w',
        '%{response_code}',
        ...args,
      ],
      { allowFail: true, timeoutMs: 30_000 },
    );
  return { code: r.code, status: r.stdout.trim().slice(-3) };
}
const http = (path: string): string => `http://${SRV}/${path}`;
const noBody = ['-o', '/dev/null'];

test("reads of an FTP site's files over HTTP need its FTP credentials; the root stays open", {
  skip,
}, async () => {
  const master = 'hq/000000000000.cfg';
  for (const [creds, status] of [
    [[], '401'],
    [['-u', FACTORY], '401'],
    [['-u', 'hqboot:wrong'], '401'],
    [['-u', BOOT], '200'],
  ] as const)
    assert.equal(
      (await curl([...creds, ...noBody, http(master)])).status,
      status,
      `GET ${master} ${creds.join(' ')}`,
    );
  // what HTTP serves with them is what FTP serves with them; FTP refuses the factory pair the same way
  const viaHttp = join(suite.app().dir, 'via-http.cfg');
  const viaFtp = join(suite.app().dir, 'via-ftp.cfg');
  assert.equal(
    (await curl(['-u', BOOT, '-o', viaHttp, http(master)])).status,
    '200',
  );
  assert.equal(
    (await curl(['-o', viaFtp, `ftp://${BOOT}@${SRV}/${master}`])).code,
    0,
  );
  assert.deepEqual(await readFile(viaHttp), await readFile(viaFtp));
  assert.notEqual(
    (await curl([...noBody, `ftp://${FACTORY}@${SRV}/${master}`])).code,
    0,
  );
  // no site's folder: open as before (phones booting from the root send no credentials)
  assert.equal((await curl([...noBody, http(IMAGE)])).status, '200');
});

test("uploads into an FTP site's folder over HTTP need its FTP credentials", {
  skip,
}, async () => {
  const body = join(suite.app().dir, 'web.cfg');
  await writeFile(
    body,
    '<PHONE_CONFIG><OVERRIDES up.backlight.idleIntensity="2"/></PHONE_CONFIG>\n',
  );
  const target = http(`hq/${PHONE_MAC}-web.cfg`);
  assert.equal((await curl(['-T', body, ...noBody, target])).status, '401');
  assert.equal(
    (await curl(['-u', FACTORY, '-T', body, ...noBody, target])).status,
    '401',
  );
  assert.equal(
    (await curl(['-u', BOOT, '-T', body, ...noBody, target])).status,
    '201',
  );
  const back = join(suite.app().dir, 'web-back.cfg');
  assert.equal((await curl(['-u', BOOT, '-o', back, target])).status, '200');
  assert.deepEqual(await readFile(back), await readFile(body));
});
