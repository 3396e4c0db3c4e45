/**
 * The FTP integration tests' lab (prefix "ftp", subnet 10.91.6; passive range 40000-40299): an appliance with
 * two sites (hq with account hqphones, branch with account branch), a 60 MB dummy image, the FTP service
 * started by service-launcher.ts (test/lib/service-lab.ts), and the clients the tests drive from a lab host:
 * curl, lftp and the raw client test/lib/ftp-control.ts.
 *
 *   const { skip, ftp } = await ftpSuite();   // registers before/after hooks that start and delete the lab
 *   test('…', { skip }, async () => { const r = await ftp.curl([...]); … });
 */

import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before } from 'node:test';
import type { TransferEvent } from '../../src/runtime/events.ts';
import type { Lab } from './netns.ts';
import {
  type ApplianceDir,
  hqUpload,
  type Launched,
  labApplianceYaml,
  labSkip,
  launchService,
  makeApplianceDir,
  REPO,
  removeDir,
  type ServiceLab,
  startServiceLab,
} from './service-lab.ts';

export {
  IMAGE,
  OTHER_MAC,
  PHONE_MAC,
  REPO,
  sha256,
  traversalCorpus,
} from './service-lab.ts';

export const SUBNET = '10.91.6';
export const SRV = `${SUBNET}.1`;
export const IMAGE_SIZE = 60 * 1024 * 1024;
export const OVERRIDE_CAP = 512 * 1024;
export const FACTORY = 'PlcmSpIp:PlcmSpIp';
export const HQ = 'hqphones:hq-s3cret';

export const FTP_YAML = labApplianceYaml({
  subnet: SUBNET,
  overrideCap: OVERRIDE_CAP,
  bootServer: '{ protocol: ftp, path: hq }',
  services:
    '    ftp: { enabled: true, port: 21, pasvMin: 40000, pasvMax: 40299 }\n',
  hq: '    accounts: [ { user: hqphones, password: hq-s3cret } ]\n',
  sites: `  branch:
    subnet: 10.91.66.0/24
    pool: 10.91.66.100-10.91.66.199
    bootServer: { protocol: ftp, path: branch }
    accounts: [ { user: branch, password: br-s3cret } ]
`,
});

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}
export interface ControlResult {
  replies: string;
  results: { step: string; reply: string; data?: string }[];
  closedByServer: boolean;
}

export interface FtpLab {
  /** The appliance folder (appliance.yaml, tftpboot/, data/) and scratch space for the tests. */
  readonly dir: string;
  readonly lab: Lab;
  readonly imageSha: string;
  /** Transfer events of the lab's service. */
  readonly events: TransferEvent[];
  /** The service's ready line. */
  readonly ready: Readonly<Record<string, unknown>>;
  stderr(): string;
  event(
    pred: (e: TransferEvent) => boolean,
    what: string,
  ): Promise<TransferEvent>;
  /** Assert the service is still running. */
  alive(): void;
  /** Start another FTP service from a yaml in the lab's srv host. */
  launch(yamlFile: string): Promise<Launched>;
  curl(args: string[], host?: string): Promise<Run>;
  lftp(user: string, commands: string, host?: string): Promise<Run>;
  /** Run the raw client (test/lib/ftp-control.ts) against port 21 with these steps. */
  control(
    steps: object[],
    waitMs?: number,
    host?: string,
  ): Promise<ControlResult>;
  login(user?: string, pass?: string): object[];
  ftpUrl(user: string, path: string): string;
  /** Where an upload of <mac>-phone.cfg to the hq site lands. */
  overrideFile(mac: string): string;
}

/** Decide whether the FTP lab can run, and register before/after hooks that start it and always delete it. */
export async function ftpSuite(
  opts: { links?: Readonly<Record<string, string>> } = {},
): Promise<{ skip: string | false; ftp: FtpLab }> {
  const skip = await labSkip('FTP', ['lftp', 'curl', 'timeout']);
  let app: ApplianceDir | undefined;
  let run: ServiceLab | undefined;
  let scriptNo = 0;
  before(async () => {
    if (skip) return;
    app = await makeApplianceDir({
      tmpPrefix: 'ftp-it-',
      yaml: FTP_YAML,
      imageSize: IMAGE_SIZE,
      seed: 0xf7b,
      links: { 'escape.txt': 'secret.txt', ...opts.links },
    });
    run = await startServiceLab({
      protocol: 'ftp',
      prefix: 'ftp',
      subnet: SUBNET,
      yaml: app.yaml,
    });
  });
  after(async () => {
    try {
      await run?.destroy();
    } finally {
      await removeDir(app);
    }
  });
  const a = (): ApplianceDir => app ?? assert.fail('FTP lab not started');
  const r = (): ServiceLab => run ?? assert.fail('FTP lab not started');
  const ftp: FtpLab = {
    get dir() {
      return a().dir;
    },
    get lab() {
      return r().lab;
    },
    get imageSha() {
      return a().imageSha;
    },
    get events() {
      return r().events;
    },
    get ready() {
      return r().ready;
    },
    stderr: () => r().stderr(),
    event: (pred, what) => r().event(pred, what),
    alive: () =>
      assert.equal(
        r().child.exitCode,
        null,
        `server died: ${r().stderr().slice(-2000)}`,
      ),
    launch: (yamlFile) =>
      launchService(r().lab, {
        protocol: 'ftp',
        yaml: yamlFile,
        subnet: SUBNET,
      }),
    curl: (args, host = 'cli') =>
      r().lab.exec(
        host,
        ['curl', '-s', '-S', '--ftp-pasv', '--max-time', '60', ...args],
        { allowFail: true, timeoutMs: 90_000 },
      ),
    lftp(user, commands, host = 'cli') {
      const [u, p] = user.split(':');
      const script = `set cmd:fail-exit yes; set ftp:passive-mode on; set net:max-retries 1; set net:timeout 10; set xfer:clobber on; open -u ${u},${p} ftp://${SRV}; ${commands}`;
      return r().lab.exec(host, ['lftp', '-c', script], {
        allowFail: true,
        timeoutMs: 90_000,
      });
    },
    async control(steps, waitMs = 300, host = 'cli') {
      const file = join(a().dir, `script-${scriptNo++}.json`);
      await writeFile(file, JSON.stringify({ steps, waitMs }));
      const res = await r().lab.exec(
        host,
        [
          process.execPath,
          join(REPO, 'test/lib/ftp-control.ts'),
          SRV,
          '21',
          file,
        ],
        { timeoutMs: 120_000 },
      );
      return JSON.parse(res.stdout) as ControlResult;
    },
    login: (user = 'PlcmSpIp', pass = 'PlcmSpIp') => [
      { cmd: `USER ${user}` },
      { cmd: `PASS ${pass}` },
    ],
    ftpUrl: (user, path) => `ftp://${user}@${SRV}/${path}`,
    overrideFile: (mac) => hqUpload(a().dir, 'overrides', `${mac}-phone.cfg`),
  };
  return { skip, ftp };
}
