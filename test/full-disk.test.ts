/**
 * The appliance starts on a full data directory (issue #16, item 3): the whole appliance (startAppliance, via
 * test/lib/admin/lab-appliance.ts) in lab namespace "fdk" (10.91.22), its data directory a 512 KiB tmpfs
 * mounted in a private mount namespace of the appliance's own process (it vanishes with that process: nothing
 * to unmount, the machine's mounts never change), seeded with a lease journal, an empty leftover compaction
 * file, an inventory temporary file and a stale upload .part, then filled to ENOSPC. Compaction at start and
 * the inventory and admin-token writes fail; the appliance warns and serves DHCP (DISCOVER → ACK) and files.
 */

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { MessageType } from '../src/dhcp/codec/packet.ts';
import { createLab, waitFor } from './lib/netns.ts';
import { labApplianceYaml, labSkip, REPO } from './lib/service-lab.ts';

const SUBNET = '10.91.22';
const SRV = `${SUBNET}.1`;
const PROBE = join(REPO, 'test/lib/dhcp-probe.ts');
const skip = await labSkip('full-disk', [
  'curl',
  'unshare',
  'nsenter',
  'mount',
  'dd',
]);

test('with a full data directory the appliance starts, removes its leftovers and serves DHCP, TFTP and HTTP', {
  skip,
  timeout: 90_000,
}, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'fdk-it-'));
  const lab = await createLab({
    prefix: 'fdk',
    hosts: ['srv', 'cli'],
    subnet: SUBNET,
  });
  let pid: number | undefined;
  try {
    const yaml = join(dir, 'appliance.yaml');
    await writeFile(
      yaml,
      labApplianceYaml({
        subnet: SUBNET,
        overrideCap: 64 * 1024,
        bootServer: '{ protocol: tftp, path: hq }',
        services:
          '    dhcp: { enabled: true }\n    tftp: { enabled: true }\n    http: { enabled: true }\n    ftp: { enabled: false }\n    admin: { enabled: true, port: 8080 }\n',
      }),
    );
    await mkdir(join(dir, 'tftpboot'));
    await mkdir(join(dir, 'data'));
    const seed = join(dir, 'seed');
    await mkdir(join(seed, 'uploads', 'hq', 'overrides'), { recursive: true });
    const later = Math.floor(Date.now() / 1000) + 86_400;
    await writeFile(
      join(seed, 'dhcp-leases.journal'),
      `b ${SUBNET}.150 0004f2aaaaaa ${later}\nb ${SUBNET}.151 0004f2bbbbbb ${later}\n`,
    );
    await writeFile(join(seed, 'dhcp-leases.journal.compact'), '');
    await writeFile(join(seed, 'inventory.json.tmp-4242'), '');
    await writeFile(
      join(
        seed,
        'uploads',
        'hq',
        'overrides',
        '.0004f2aaaaaa-phone.cfg.0123456789ab.part',
      ),
      '',
    );
    const data = join(dir, 'data');
    const script = [
      `mount -t tmpfs -o size=512k,mode=0755 fdk-data "${data}"`,
      `cp -a "${seed}/." "${data}/"`,
      `(dd if=/dev/zero of="${data}/filler" bs=4096 2>/dev/null || true)`,
      `exec "${process.execPath}" "${join(REPO, 'test/lib/admin/lab-appliance.ts')}" "${yaml}"`,
    ].join(' && ');
    const child = lab.spawn(
      'srv',
      ['unshare', '--mount', '--propagation', 'private', 'sh', '-c', script],
      { cwd: REPO, env: { ...process.env, LOG_LEVEL: 'info' } },
    );
    pid = child.pid;
    let out = '';
    let err = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
    });
    child.stderr!.on('data', (d: Buffer) => {
      err = (err + d.toString()).slice(-200_000);
    });
    await waitFor(
      () => out.includes('admin ready') || child.exitCode !== null,
      30_000,
      'appliance start',
    );
    assert.equal(
      child.exitCode,
      null,
      `the appliance exited on a full disk: ${err.slice(-3000)}`,
    );
    // The disk really is full inside the appliance's mount namespace.
    const df = execFileSync('nsenter', [
      '-t',
      String(pid),
      '-m',
      'df',
      '-B1',
      '--output=avail',
      data,
    ]).toString();
    assert.equal(Number(df.trim().split('\n').at(-1)), 0, df);
    assert.match(
      err,
      /"code":"DHCP_LEASE_PERSIST"[^\n]*not compacted at start/,
    );
    const left = execFileSync('nsenter', [
      '-t',
      String(pid),
      '-m',
      'find',
      data,
      '-name',
      '*.part',
      '-o',
      '-name',
      '*.compact',
      '-o',
      '-name',
      '*.tmp-*',
    ]).toString();
    assert.equal(left.trim(), '', 'leftover temporary files removed');

    // DHCP: a new phone gets an address (its journal line still fits in the journal's last page).
    const replies = async (
      type: number,
      spec: object,
    ): Promise<{ type: number; yiaddr: string }[]> =>
      (
        await lab.exec(
          'cli',
          [
            process.execPath,
            PROBE,
            SRV,
            String(type),
            JSON.stringify({ broadcast: true, ...spec }),
            '5000',
            '1',
          ],
          { timeoutMs: 10_000 },
        )
      ).stdout
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as { type: number; yiaddr: string });
    const offer = await replies(MessageType.DISCOVER, { mac: '0004f2c0ffee' });
    assert.equal(offer[0]?.type, MessageType.OFFER, err.slice(-2000));
    const ack = await replies(MessageType.REQUEST, {
      mac: '0004f2c0ffee',
      requested: offer[0]!.yiaddr,
      serverId: SRV,
    });
    assert.equal(ack[0]?.type, MessageType.ACK, err.slice(-2000));
    // Files over TFTP and HTTP.
    const tftp = await lab.exec(
      'cli',
      [
        'curl',
        '-s',
        '-S',
        '--max-time',
        '10',
        `tftp://${SRV}/hq/000000000000.cfg`,
      ],
      { allowFail: true },
    );
    assert.equal(tftp.code, 0, tftp.stderr);
    assert.match(tftp.stdout, /APPLICATION/);
    const http = await lab.exec(
      'cli',
      [
        'curl',
        '-s',
        '-S',
        '-f',
        '--max-time',
        '10',
        `http://${SRV}/hq/000000000000.cfg`,
      ],
      { allowFail: true },
    );
    assert.equal(http.code, 0, http.stderr);
    assert.equal(http.stdout, tftp.stdout);
    // The admin server runs too (its generated token could not be saved).
    const health = await lab.exec(
      'cli',
      ['curl', '-s', '-f', '--max-time', '10', `http://${SRV}:8080/health`],
      { allowFail: true },
    );
    assert.equal(health.code, 0, err.slice(-2000));
    assert.match(err, /"code":"ADMIN_TOKEN_GENERATED"[^\n]*saveError/);
    child.kill('SIGTERM');
    await waitFor(() => child.exitCode !== null, 10_000, 'appliance exit');
    pid = undefined;
  } finally {
    if (pid !== undefined)
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        /* gone */
      }
    await lab.destroy();
    await rm(dir, { recursive: true, force: true });
  }
});
