/**
 * Noise does not grow the inventory (issue #16, item 4): the whole appliance (test/lib/admin/lab-appliance.ts)
 * in lab "ivf" (10.91.24), then 3,000 DISCOVERs and 10,000 GETs of <MAC>-appliance.cfg with random non-Polycom
 * MACs (test/lib/inventory-flood.ts). The inventory stays as it was (every event counted as ignored) and the
 * appliance's RSS within 20 MB of where it was after a warm-up round. The appliance runs with the V8 flags,
 * malloc and thread-pool settings `appliance run` gives itself (src/cli/node-flags.ts); RSS is read after a
 * full collection.
 */

import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  RUN_MALLOC_ARENAS,
  RUN_NODE_FLAGS,
  RUN_THREADPOOL_SIZE,
} from '../src/cli/node-flags.ts';
import { createLab, waitFor } from './lib/netns.ts';
import { labApplianceYaml, labSkip, REPO } from './lib/service-lab.ts';

const SUBNET = '10.91.24';
const SRV = `${SUBNET}.1`;
const TOKEN = 'inventory-flood-token-0123456789';
const FLOOD = join(REPO, 'test/lib/inventory-flood.ts');
const skip = await labSkip('inventory flood', ['curl']);

test('3,000 random-MAC DISCOVERs and 10,000 random-MAC GETs: no phone records, RSS within 20 MB', {
  skip,
  timeout: 170_000,
}, async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'ivf-it-'));
  const lab = await createLab({
    prefix: 'ivf',
    hosts: ['srv', 'cli'],
    subnet: SUBNET,
  });
  try {
    const yaml = join(dir, 'appliance.yaml');
    await writeFile(
      yaml,
      labApplianceYaml({
        subnet: SUBNET,
        overrideCap: 64 * 1024,
        bootServer: '{ protocol: http, path: hq }',
        services: `    dhcp: { enabled: true }\n    tftp: { enabled: false }\n    ftp: { enabled: false }\n    http: { enabled: true }\n    admin: { enabled: true, port: 8080, token: "${TOKEN}" }\n`,
      }),
    );
    await mkdir(join(dir, 'tftpboot'));
    const child = lab.spawn(
      'srv',
      [
        process.execPath,
        ...RUN_NODE_FLAGS,
        '--expose-gc',
        join(REPO, 'test/lib/admin/lab-appliance.ts'),
        yaml,
      ],
      {
        cwd: REPO,
        env: {
          ...process.env,
          MALLOC_ARENA_MAX: RUN_MALLOC_ARENAS,
          UV_THREADPOOL_SIZE: RUN_THREADPOOL_SIZE,
        },
      },
    );
    let out = '';
    let err = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
    });
    child.stderr!.on('data', (d: Buffer) => {
      err = (err + d.toString()).slice(-20_000);
    });
    await waitFor(
      () => out.includes('admin ready') || child.exitCode !== null,
      30_000,
      'appliance start',
    );
    assert.equal(child.exitCode, null, err);
    /** The appliance's RSS once its garbage is collected (lab-appliance.ts answers SIGUSR2), in MB. */
    const rssMb = async (): Promise<number> => {
      const n = out.split('gc done').length;
      process.kill(child.pid!, 'SIGUSR2');
      await waitFor(() => out.split('gc done').length > n, 5_000, 'gc');
      return (
        Number(
          /gc done (\d+)/.exec(out.slice(out.lastIndexOf('gc done')))![1],
        ) / 1024
      );
    };
    const flood = async (
      mode: string,
      n: number,
      seed: number,
    ): Promise<Record<string, number>> =>
      JSON.parse(
        (
          await lab.exec(
            'cli',
            [process.execPath, FLOOD, mode, SRV, String(n), String(seed)],
            { timeoutMs: 150_000 },
          )
        ).stdout,
      ) as Record<string, number>;
    const phones = async (): Promise<{ total: number }> =>
      JSON.parse(
        (
          await lab.exec('cli', [
            'curl',
            '-s',
            '-f',
            '-H',
            `Authorization: Bearer ${TOKEN}`,
            `http://${SRV}:8080/api/phones`,
          ])
        ).stdout,
      ) as { total: number };

    // Warm-up: the same kinds of request, so the baseline has its code compiled and its buffers allocated.
    const warm = await flood('dhcp', 300, 1);
    await flood('http', 1000, 2);
    const before = await rssMb();
    const dhcp = await flood('dhcp', 3000, 3);
    const mid = await rssMb();
    const http = await flood('http', 10_000, 4);
    assert.equal(dhcp.sent, 3000);
    assert.equal(http.ok, 10_000, JSON.stringify(http));
    const after = await rssMb();
    const inv = await phones();
    const metrics = (
      await lab.exec('cli', [
        'curl',
        '-s',
        '-f',
        '-H',
        `Authorization: Bearer ${TOKEN}`,
        `http://${SRV}:8080/metrics`,
      ])
    ).stdout;
    const ignored = (source: string): number =>
      Number(
        new RegExp(
          `appliance_inventory_ignored_events_total\\{source="${source}"\\} (\\d+)`,
        ).exec(metrics)?.[1],
      );
    t.diagnostic(
      `RSS ${before.toFixed(1)} MB → ${mid.toFixed(1)} MB after the DISCOVERs → ${after.toFixed(1)} MB after the GETs (${out
        .split('\n')
        .filter((l) => l.startsWith('gc done'))
        .join(
          ' | ',
        )}); offers ${warm.offers} to the warm-up, ${dhcp.offers} to the flood; phones ${inv.total}; ignored dhcp ${ignored('dhcp')}, transfer ${ignored('transfer')}`,
    );
    assert.equal(inv.total, 0, 'no record for any of them');
    assert.ok(ignored('transfer') >= 11_000, metrics.slice(0, 200));
    // The DHCP side answered these MACs (offers until the 100-address pool was held: the warm-up takes it
    // all, so the flood itself gets none), and every DISCOVER's event reached the inventory and was ignored.
    assert.ok(warm.offers! >= 50, `${warm.offers} offers to the warm-up`);
    assert.ok(
      ignored('dhcp') >= warm.sent! + dhcp.sent!,
      `${ignored('dhcp')} DHCP events ignored of ${warm.sent! + dhcp.sent!} DISCOVERs`,
    );
    assert.ok(
      after - before < 20,
      `RSS grew ${(after - before).toFixed(1)} MB`,
    );
    child.kill('SIGTERM');
    await waitFor(() => child.exitCode !== null, 10_000, 'appliance exit');
  } finally {
    await lab.destroy();
    await rm(dir, { recursive: true, force: true });
  }
});
