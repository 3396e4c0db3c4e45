/**
 * The container, end to end: build the image from the Dockerfile on the local Node 24 stand-in
 * (docker/build-base-image.sh; this machine reaches no container registry), start it as compose.yaml does
 * (non-root, no capabilities, read-only root, the port sysctl) on an internal Docker network with
 * test/container/appliance.yaml and dummy firmware, then provision a "phone" from a second container:
 * busybox udhcpc gets the lease with options 66 and 160, curl fetches the master config and the firmware
 * over TFTP, FTP and HTTP; the start-up log says uploads are made durable by grouped syncfs rounds (the image's
 * syncfs addon loaded). Containers never use the host's network and publish no port.
 *
 * Skips with a message when no Docker daemon answers, except under CI, where .ci/container.sh has started
 * one and a missing daemon is a failure.
 */

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  GenericContainer,
  type StartedTestContainer,
  Wait,
} from 'testcontainers';
import {
  allowWithinBridge,
  containerLog,
  docker,
  dockerAnswers,
  imageSize,
  LABEL,
  memoryUsage,
  removeLeftovers,
} from './container/docker.ts';

process.env.TESTCONTAINERS_RYUK_DISABLED = 'true';

const ROOT = new URL('..', import.meta.url).pathname;
const BASE_IMAGE =
  process.env.APPLIANCE_NODE_IMAGE ?? 'appliance-local/node:24-slim';
const CLIENT_IMAGE =
  process.env.APPLIANCE_CLIENT_IMAGE ?? 'appliance-local/phone-client:bookworm';
const SUBNET = '172.29.66';
const APPLIANCE = `${SUBNET}.2`;
const BOOT_URL = `ftp://PlcmSpIp:PlcmSpIp@${APPLIANCE}/lab`;
const PART = '3111-46162-001'; // VVX 410
const UA = 'FileTransport PolycomVVX-VVX_410-UA/5.9.7.4477 Type/Application';
const [labelKey, labelValue] = LABEL.split('=') as [string, string];

const up = dockerAnswers();
const skip =
  up || process.env.CI
    ? false
    : 'no Docker daemon answers (start one: bash docker/start-dockerd.sh)';

/** The appliance as compose.yaml runs it, plus the fixed address the test's YAML names. */
class ApplianceContainer extends GenericContainer {
  readonly #network: string;
  readonly #address: string;
  constructor(image: string, network: string, address: string) {
    super(image);
    this.#network = network;
    this.#address = address;
  }
  protected override async beforeContainerCreated(): Promise<void> {
    this.hostConfig.Sysctls = { 'net.ipv4.ip_unprivileged_port_start': '0' };
    this.hostConfig.ReadonlyRootfs = true;
    this.createOpts.NetworkingConfig = {
      EndpointsConfig: {
        [this.#network]: { IPAMConfig: { IPv4Address: this.#address } },
      },
    };
  }
}

/** 1 MiB of deterministic bytes standing in for a Polycom application image. */
function dummyFirmware(): Buffer {
  const blocks: Buffer[] = [];
  for (let i = 0; i < 32768; i++)
    blocks.push(createHash('sha256').update(`firmware-${i}`).digest());
  return Buffer.concat(blocks);
}

const sha256 = (b: Buffer | string): string =>
  createHash('sha256').update(b).digest('hex');
const hex = (s: string): string => Buffer.from(s).toString('hex');

test('container: the image provisions a phone over DHCP, TFTP, FTP and HTTP', {
  skip,
  timeout: 900_000,
}, async (t) => {
  assert.ok(
    up,
    'CI has no Docker daemon: .ci/container.sh must run before npm test',
  );
  const started = Date.now();
  const tag = `polycom-appliance-test:${process.pid}`;
  const network = `appliance-ct-${process.pid}`;
  const bridge = `apct${process.pid % 100_000}`;
  const dir = mkdtempSync(join(tmpdir(), 'appliance-ct-'));
  const containers: StartedTestContainer[] = [];
  let built = false;
  let passed = false;
  let undoFirewall = async (): Promise<void> => undefined;
  await removeLeftovers();
  try {
    // 1. The base stand-in (cached) and the image, built from the working tree as CI checks it out.
    execFileSync('bash', [join(ROOT, 'docker/build-base-image.sh')], {
      stdio: ['ignore', 'ignore', 'inherit'],
      timeout: 600_000,
    });
    const buildStart = Date.now();
    const _image = await GenericContainer.fromDockerfile(ROOT)
      .withBuildArgs({ NODE_IMAGE: BASE_IMAGE })
      .build(tag, { deleteOnExit: false });
    built = true;
    const buildSeconds = (Date.now() - buildStart) / 1000;

    // 2. Config and tftpboot/ readable by the image's unprivileged user (uid 1000), mounted read-only.
    const firmware = dummyFirmware();
    mkdirSync(join(dir, 'tftpboot/ucs-5.9.7'), { recursive: true });
    writeFileSync(join(dir, `tftpboot/ucs-5.9.7/${PART}.sip.ld`), firmware);
    copyFileSync(
      join(ROOT, 'test/container/appliance.yaml'),
      join(dir, 'appliance.yaml'),
    );
    for (const p of ['', 'tftpboot', 'tftpboot/ucs-5.9.7'])
      chmodSync(join(dir, p), 0o755);
    writeFileSync(
      join(dir, 'lease.sh'),
      '#!/bin/sh\n[ "$1" = bound ] && env | sort > /tmp/lease.env\nexit 0\n',
      { mode: 0o755 },
    );

    // 3. An internal network: no route out, no published port, nothing of the host's interfaces.
    await docker([
      'network',
      'create',
      '--internal',
      '--label',
      LABEL,
      '-o',
      `com.docker.network.bridge.name=${bridge}`,
      '--subnet',
      `${SUBNET}.0/24`,
      '--gateway',
      `${SUBNET}.1`,
      '--ip-range',
      `${SUBNET}.240/28`,
      network,
    ]);
    undoFirewall = await allowWithinBridge(bridge);

    const startStart = Date.now();
    const appliance = await new ApplianceContainer(tag, network, APPLIANCE)
      .withLabels({ [labelKey]: labelValue })
      .withNetworkMode(network)
      .withBindMounts([
        {
          source: join(dir, 'appliance.yaml'),
          target: '/etc/appliance/appliance.yaml',
          mode: 'ro',
        },
        { source: join(dir, 'tftpboot'), target: '/srv/tftpboot', mode: 'ro' },
      ])
      .withTmpFs({ '/tmp': 'rw' })
      .withDroppedCapabilities('ALL')
      .withSecurityOpt('no-new-privileges:true')
      .withEnvironment({ LOG_LEVEL: 'info' })
      .withWaitStrategy(Wait.forLogMessage(/"msg":"appliance running"/))
      .withStartupTimeout(60_000)
      .start();
    containers.push(appliance);
    const startSeconds = (Date.now() - startStart) / 1000;

    const phone = await new GenericContainer(CLIENT_IMAGE)
      .withLabels({ [labelKey]: labelValue })
      .withNetworkMode(network)
      .withCopyFilesToContainer([
        {
          source: join(dir, 'lease.sh'),
          target: '/usr/local/bin/lease.sh',
          mode: 0o755,
        },
      ])
      .withCommand(['sleep', 'infinity'])
      .start();
    containers.push(phone);
    const sh = async (script: string): Promise<string> => {
      const r = await phone.exec(['sh', '-c', script]);
      assert.equal(r.exitCode, 0, `${script}\n${r.output}`);
      return r.output;
    };

    await t.test(
      'runs as the unprivileged user with no capabilities, and its health check passes',
      async () => {
        const r = await appliance.exec([
          'sh',
          '-c',
          'id -u; grep CapEff /proc/1/status; node /opt/appliance/docker/healthcheck.mjs && echo healthy',
        ]);
        assert.equal(r.exitCode, 0, r.output);
        const [uid, caps, health] = r.output.trim().split('\n');
        assert.equal(uid, '1000');
        assert.match(caps!, /CapEff:\s+0+$/);
        assert.equal(health, 'healthy');
      },
    );

    await t.test(
      'uploads are made durable by grouped syncfs rounds: the image built and loaded the syncfs addon',
      async () => {
        // The start-up line carries the process's sync group kind (src/shared/sync-group.ts), and the reason
        // when it is 'fsync': the addon failed to load, or APPLIANCE_UPLOAD_SYNC=fsync asked for it.
        const line = (await containerLog(appliance.getId()))
          .split('\n')
          .find((l) => l.includes('"msg":"appliance running"'));
        assert.ok(line, 'no "appliance running" line in the start-up log');
        const { uploadSync } = JSON.parse(line) as { uploadSync?: string };
        assert.equal(uploadSync, 'syncfs', line);
      },
    );

    const idle = await memoryUsage(appliance.getId());

    const provisionStart = Date.now();
    await t.test(
      'udhcpc gets a lease from the pool with options 66 and 160',
      async () => {
        await sh(
          'udhcpc -i eth0 -f -q -n -t 5 -T 1 -s /usr/local/bin/lease.sh -V Polycom-VVX410 -O 66 -O 160 >/dev/null 2>&1',
        );
        const env = Object.fromEntries(
          (await sh('cat /tmp/lease.env'))
            .split('\n')
            .map((l) => [
              l.slice(0, l.indexOf('=')),
              l.slice(l.indexOf('=') + 1),
            ]),
        );
        assert.match(
          env.ip ?? '',
          /^172\.29\.66\.1[0-4]\d$/,
          `address ${env.ip} from the pool`,
        );
        assert.equal(env.serverid, APPLIANCE);
        assert.equal(env.opt160, hex(BOOT_URL));
        // busybox accepts only host names in option 66 and shows "bad" for a URL: present is what it can tell.
        assert.ok(env.tftp !== undefined, 'option 66 sent');
      },
    );

    const urls = {
      tftp: `tftp://${APPLIANCE}/lab`,
      ftp: `${BOOT_URL}`,
      http: `http://${APPLIANCE}/lab`,
    };
    let master = '';
    await t.test(
      'the master config is the same over TFTP, FTP and HTTP',
      async () => {
        const got = await Promise.all(
          Object.values(urls).map((u) =>
            sh(`curl -sS --fail -A '${UA}' '${u}/000000000000.cfg'`),
          ),
        );
        master = got[0]!;
        assert.match(master, /APP_FILE_PATH="ucs-5\.9\.7\/sip\.ld"/);
        for (const g of got) assert.equal(g, master);
      },
    );

    await t.test(
      'the firmware the master config names arrives intact over TFTP, FTP and HTTP',
      async () => {
        const app = /APP_FILE_PATH="([^"]+)"/.exec(master)?.[1] ?? '';
        const file = app.replace(/sip\.ld$/, `${PART}.sip.ld`); // what a split-download phone asks for
        const sums = await Promise.all(
          Object.values(urls).map((u) =>
            sh(
              `curl -sS --fail --tftp-blksize 1468 -A '${UA}' '${u}/${file}' | sha256sum`,
            ),
          ),
        );
        for (const s of sums) assert.equal(s.split(' ')[0], sha256(firmware));
      },
    );
    const provisionSeconds = (Date.now() - provisionStart) / 1000;

    const size = await imageSize(tag);
    t.diagnostic(
      `image ${tag}: ${(size / 1e6).toFixed(1)} MB (base ${BASE_IMAGE}: ${((await imageSize(BASE_IMAGE)) / 1e6).toFixed(1)} MB)`,
    );
    t.diagnostic(`appliance idle memory: ${idle}`);
    passed = true;
    t.diagnostic(
      `build ${buildSeconds.toFixed(1)} s, start ${startSeconds.toFixed(1)} s, provision ${provisionSeconds.toFixed(1)} s, total ${((Date.now() - started) / 1000).toFixed(1)} s`,
    );
  } finally {
    if (!passed && containers[0]) {
      t.diagnostic(
        `appliance log tail:\n${await docker(['logs', '--tail', '20', containers[0].getId()]).catch((e: Error) => e.message)}`,
      );
    }
    for (const c of containers.reverse())
      await c
        .stop({ remove: true, removeVolumes: true })
        .catch(() => undefined);
    await docker(['network', 'rm', network]).catch(() => undefined);
    await undoFirewall();
    // --no-prune keeps the untagged build layers: the next run reuses them (npm ci, the addon) as a cache.
    if (built) await docker(['rmi', '--no-prune', tag]).catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  }
});
