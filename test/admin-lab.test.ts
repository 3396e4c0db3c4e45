/**
 * Operations end to end (test/lib/admin/ops-lab.ts): the real appliance with DHCP, TFTP, HTTP and the admin
 * server in one namespace, appliance-phonesim booting phones in another. The scenario runs once, in before():
 * six phones boot (every one must be provisioned; the SoundStations find no bootROM image, an error the
 * inventory shows), junk datagrams go to DHCP and TFTP, the front-desk VVX boots again into its new release, a
 * check-sync is sent and a broken appliance.yaml is refused. Each test then checks one feature. Every wait is
 * on a condition with a deadline; artifacts (CLI tables, page screenshot) go to the lab's temporary folder
 * (UPDATE_SCREENSHOT=1 also writes docs/admin-page.png).
 */

import assert from 'node:assert/strict';
import { copyFile, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  ADMIN,
  adminGet,
  adminJson,
  BEARER,
  bootPhones,
  CLI,
  type OpsLab,
  RENDER,
  scrape,
  startOpsLab,
  TOKEN,
} from './lib/admin/ops-lab.ts';
import { type Sample, total } from './lib/admin/prom-parse.ts';
import { firmwareYaml } from './lib/lab-yaml.ts';
import { canRunLab, missingCommands, waitFor } from './lib/netns.ts';
import { REPO } from './lib/phonesim-lab.ts';

const MODELS = ['SPIP650', 'SSIP6000', 'VVX410'];
const mac = (i: number): string =>
  `0004f2a000${(i + 1).toString(16).padStart(2, '0')}`;

const YAML = `appliance:
  address: 10.91.10.1
  interface: eth0
  tftpboot: ./tftpboot
  dataDir: ./data
  services: { admin: { enabled: true, port: 8080, token: "${TOKEN}" }, ftp: { enabled: false } }
${firmwareYaml()}sites:
  lab:
    subnet: 10.91.10.0/24
    pool: 10.91.10.100-10.91.10.149
    bootServer: { protocol: tftp, path: "" }
  annex:
    subnet: 10.92.10.0/24
    pool: 10.92.10.50-10.92.10.99
    relays: [ 10.92.10.1 ]
    bootServer: { protocol: http, path: annex }
phones:
  "${mac(0)}": { site: lab, model: SPIP650, label: Reception }
  "${mac(1)}": { site: lab, model: SSIP6000, label: Boardroom }
  "${mac(2)}": { site: lab, model: VVX410, label: Front desk }
  "0004f2a000ff": { site: lab, model: VVX410, label: Not plugged in yet }
`;

async function skipReason(): Promise<string | false> {
  const missing = canRunLab()
    ? await missingCommands(['curl', 'chromium', 'ip'])
    : [];
  if (canRunLab() && missing.length === 0) return false;
  const why = canRunLab()
    ? `missing ${missing.join(', ')} (apt-get install curl chromium)`
    : 'needs root for network namespaces';
  if (process.env.CI)
    throw new Error(`admin lab test cannot run in CI: ${why}`);
  return why;
}

type Phone = Record<string, unknown>;
interface Seen {
  baseline: Sample[];
  /** After the first boot of all six phones. */
  phones: Phone[];
  detail: {
    timeline: { kind: string; path?: string; result: string }[];
    files: Record<string, { downloads: number; uploads: number }>;
  };
  errors: { code: string; path?: string }[];
  rollout: { model: string; counts: Record<string, number>; unseen: number }[];
  afterBoot: Sample[];
  /** After the front-desk VVX came back with its new release. */
  afterReboot: Sample[];
  /** `appliance phones` and `appliance leases --site lab`, run in the appliance's namespace. */
  cli: { phones: string; leases: string };
  job: { finishedAt?: number; summary: Record<string, number> };
  config: { failures: number; lastError?: { issues: { text: string }[] } };
  /** The front-desk VVX's syslog lines: on its timeline, from the API's log file, and from `appliance logs`. */
  syslog: {
    timeline: { what: string; text?: string; address?: string }[];
    file: { status: number; body: string };
    cli: string;
  };
}

/** /metrics once every TFTP transfer the server accepted has been reported (its event is in the inventory). */
const settled = (
  ops: OpsLab,
  extra: (m: Sample[]) => boolean = () => true,
): Promise<Sample[]> =>
  waitFor(
    async () => {
      const m = await scrape(ops.lab);
      const done =
        total(m, 'appliance_tftp_completed_total') +
          total(m, 'appliance_tftp_failed_total') >=
        total(m, 'appliance_tftp_requests_total');
      return done && extra(m) ? m : undefined;
    },
    10_000,
    'every TFTP transfer reported',
  );

/** The CLI tables, once inventory.json (saved shortly after each change) holds what the API shows. */
async function cliTables(ops: OpsLab): Promise<Seen['cli']> {
  const live = (
    await adminJson<{ phones: Phone[] }>(ops.lab, '/api/phones')
  ).phones
    .map((p) => `${p.mac} ${p.lastSeen}`)
    .sort();
  await waitFor(
    async () => {
      const saved = JSON.parse(
        await readFile(join(ops.dir, 'data/inventory.json'), 'utf8'),
      ) as { phones: Phone[] };
      return (
        JSON.stringify(
          saved.phones.map((p) => `${p.mac} ${p.lastSeen}`).sort(),
        ) === JSON.stringify(live)
      );
    },
    10_000,
    'inventory.json saved',
  );
  const phones = await ops.lab.exec('app', [
    process.execPath,
    CLI,
    'phones',
    '--config',
    ops.yamlPath,
  ]);
  const leases = await ops.lab.exec('app', [
    process.execPath,
    CLI,
    'leases',
    '--config',
    ops.yamlPath,
    '--site',
    'lab',
  ]);
  return { phones: phones.stdout, leases: leases.stdout };
}

const skip = await skipReason();

describe('admin lab', { skip, timeout: 180_000 }, () => {
  let ops: OpsLab;
  const seen = {} as Seen;

  before(async () => {
    ops = await startOpsLab(YAML);
    seen.baseline = await scrape(ops.lab);
    await bootPhones(ops, [
      '--count',
      '6',
      '--model',
      MODELS.join(','),
      '--mac-base',
      mac(0),
      '--dhcp-timeout',
      '1000',
      '--boots',
      '1',
      '--uploads',
      'best-effort',
    ]);
    // Malformed datagrams to DHCP and TFTP are dropped and counted.
    await ops.lab.exec('phones', [
      process.execPath,
      '-e',
      "const s=require('dgram').createSocket('udp4');s.send(Buffer.from('junk'),67,'10.91.10.1',()=>s.send(Buffer.from([0,9]),69,'10.91.10.1',()=>s.close()))",
    ]);
    seen.afterBoot = await settled(
      ops,
      (m) =>
        total(m, 'appliance_malformed_packets_total', { service: 'dhcp' }) >
          0 &&
        total(m, 'appliance_malformed_packets_total', { service: 'tftp' }) > 0,
    );
    seen.phones = (
      await adminJson<{ phones: Phone[] }>(ops.lab, '/api/phones')
    ).phones;
    seen.detail = await adminJson(ops.lab, `/api/phones/${mac(2)}`);
    seen.errors = (
      await adminJson<{ errors: Seen['errors'] }>(ops.lab, '/api/errors')
    ).errors;
    seen.rollout = (
      await adminJson<{ models: Seen['rollout'] }>(ops.lab, '/api/rollout')
    ).models;

    // Phones configured for syslog (common.cfg does, by default) send their boot lines to the appliance.
    seen.syslog = {
      timeline: await waitFor(
        async () => {
          const d = await adminJson<{
            timeline: (Seen['syslog']['timeline'][number] & { kind: string })[];
          }>(ops.lab, `/api/phones/${mac(2)}`);
          const lines = d.timeline.filter((e) => e.kind === 'syslog');
          return lines.length >= 2 ? lines : undefined;
        },
        10_000,
        'syslog lines on the timeline',
      ),
      file: await adminGet(ops.lab, `/api/phones/${mac(2)}/log`, BEARER),
      cli: (
        await ops.lab.exec('app', [
          process.execPath,
          CLI,
          'logs',
          mac(2),
          '--config',
          ops.yamlPath,
        ])
      ).stdout,
    };

    await bootPhones(
      ops,
      [
        '--count',
        '1',
        '--model',
        'VVX410',
        '--mac-base',
        mac(2),
        '--boots',
        '1',
        '--boot-twice',
      ],
      {},
      30_000,
    );
    seen.afterReboot = await settled(ops);
    seen.cli = await cliTables(ops);

    // check-sync from the API: nothing listens for SIP in this lab, so both VVX phones time out (64*T1 = 1.3 s)
    // and the one never seen has no address.
    const posted = await ops.lab.exec('phones', [
      'curl',
      '-sf',
      '-H',
      `Authorization: ${BEARER}`,
      '-H',
      'Content-Type: application/json',
      '-d',
      '{"target":"VVX410"}',
      `${ADMIN}/api/notify`,
    ]);
    const jobId = (JSON.parse(posted.stdout) as { job: { id: string } }).job.id;
    seen.job = await waitFor(
      async () => {
        const j = (
          await adminJson<{ job: Seen['job'] }>(ops.lab, `/api/notify/${jobId}`)
        ).job;
        return j.finishedAt === undefined ? undefined : j;
      },
      10_000,
      'check-sync job',
    );

    // A broken edit of appliance.yaml is refused.
    await writeFile(
      ops.yamlPath,
      YAML.replace(
        '    pool: 10.91.10.100-10.91.10.149',
        '    pool: 10.91.10.100-10.91.10.149\n    leaseTme: 600',
      ),
    );
    seen.config = await waitFor(
      async () => {
        const c = await adminJson<Seen['config']>(ops.lab, '/api/config');
        return c.failures > 0 ? c : undefined;
      },
      10_000,
      'refused reload',
    );
  });

  after(async () => {
    await ops?.destroy();
  });

  test('auth: every page and API needs the token (bearer, or basic with any user); /health is open', async () => {
    assert.equal((await adminGet(ops.lab, '/health')).status, 200);
    for (const path of ['/api/phones', '/metrics', '/', '/api/config']) {
      const r = await adminGet(ops.lab, path);
      assert.equal(r.status, 401, `${path} without credentials`);
      assert.match(r.headers, /www-authenticate: Basic/i);
      assert.equal(
        (await adminGet(ops.lab, path, 'Bearer wrong-token-0123456789')).status,
        401,
        `${path} with a wrong token`,
      );
    }
    assert.equal(
      (
        await adminGet(
          ops.lab,
          '/api/phones',
          `Basic ${Buffer.from(`anyone:${TOKEN}`).toString('base64')}`,
        )
      ).status,
      200,
    );
  });

  test('inventory: option-60 fields, fetch and upload history, errors and rollout of each phone booted', () => {
    assert.deepEqual(
      seen.phones.map((p) => p.mac),
      [0, 1, 2, 3, 4, 5].map(mac),
    );
    const byMac = new Map(seen.phones.map((p) => [p.mac as string, p]));
    const sp = byMac.get(mac(0))!;
    assert.deepEqual(
      [
        sp.vendor,
        sp.model,
        sp.partNumber,
        sp.hardwareRevision,
        sp.state,
        sp.label,
        sp.site,
      ],
      [
        'Polycom',
        'SPIP650',
        '2345-12600-001',
        '1',
        'known',
        'Reception',
        'lab',
      ],
    );
    assert.match(String(sp.bootVersionString), /^BR\//);
    const vvx = byMac.get(mac(2))!;
    // One boot each: the image is fetched and flashed, the phone has not come back with it yet.
    assert.deepEqual(
      [
        vvx.model,
        vvx.partNumber,
        vvx.runningVersion,
        vvx.offeredVersion,
        vvx.rollout,
      ],
      ['VVX410', '3111-46162-001', '4.0.0.0000', '5.9.7.4477', 'in-progress'],
    );
    assert.match(String(vvx.bootVersionString), /^UP\//);
    assert.match(String(vvx.address), /^10\.91\.10\.1[0-4]\d$/);
    assert.equal(
      byMac.get(mac(4))!.state,
      'new',
      'a MAC not in appliance.yaml is listed as new',
    );
    assert.equal(
      byMac.get(mac(1))!.rollout,
      'failed',
      'SoundStation bootROM image missing',
    );
    const kinds = new Set(seen.detail.timeline.map((e) => e.kind));
    for (const k of ['dhcp', 'download', 'upload'])
      assert.ok(kinds.has(k), `timeline has ${k}`);
    assert.ok(seen.detail.files['000000000000.cfg']!.downloads >= 1);
    assert.ok(
      seen.detail.files['ucs-5.9.7/3111-46162-001.sip.ld']!.downloads >= 1,
    );
    assert.ok(
      Object.entries(seen.detail.files).some(
        ([p, f]) => p.includes(`${mac(2)}-boot.log`) && f.uploads >= 1,
      ),
      Object.keys(seen.detail.files).join(' '),
    );
    assert.ok(
      seen.errors.some(
        (e) =>
          e.code === 'TREE_NOT_FOUND' &&
          e.path?.includes('3111-15600-001.bootrom.ld'),
      ),
      JSON.stringify(seen.errors.slice(0, 5)),
    );
    const vvxRow = seen.rollout.find((m) => m.model === 'VVX410')!;
    assert.deepEqual(
      [vvxRow.counts['in-progress'], vvxRow.counts['not-yet'], vvxRow.unseen],
      [2, 1, 1],
    );
  });

  test("syslog: a phone's boot lines land on its timeline, in its log file (API) and in `appliance logs`", () => {
    assert.ok(
      seen.syslog.timeline.some((e) =>
        /Configured \d+ parameters/.test(e.text ?? ''),
      ),
      JSON.stringify(seen.syslog.timeline),
    );
    assert.ok(
      seen.syslog.timeline.every((e) => /^info/.test(e.what)),
      'severity 6 = info',
    );
    assert.equal(seen.syslog.file.status, 200);
    assert.match(seen.syslog.file.body, /Application \S+ started/);
    assert.match(
      seen.syslog.cli,
      /Configured \d+ parameters[\s\S]*Application \S+ started/,
    );
  });

  test('metrics: the counters move with the traffic', () => {
    assert.equal(total(seen.baseline, 'appliance_transfers_total'), 0);
    const after = seen.afterBoot;
    assert.ok(
      total(after, 'appliance_transfers_total', {
        protocol: 'tftp',
        direction: 'download',
        result: 'ok',
      }) >= 12,
    );
    assert.ok(
      total(after, 'appliance_transfers_total', { result: 'TREE_NOT_FOUND' }) >=
        2,
    );
    assert.ok(
      total(after, 'appliance_transfer_bytes_total', {
        protocol: 'tftp',
        direction: 'download',
      }) >=
        6 * 200_000,
    );
    assert.ok(
      total(after, 'appliance_dhcp_messages_total', {
        message: 'REQUEST',
        reply: 'ACK',
      }) >= 6,
    );
    assert.ok(
      total(after, 'appliance_dhcp_requests_total', { type: 'DISCOVER' }) >= 6,
    );
    assert.equal(
      total(after, 'appliance_dhcp_leases_used', { site: 'lab' }),
      6,
    );
    assert.equal(
      total(after, 'appliance_dhcp_leases_free', { site: 'lab' }),
      44,
    );
    assert.equal(
      total(after, 'appliance_dhcp_leases_free', { site: 'annex' }),
      50,
    );
    assert.equal(
      total(after, 'appliance_malformed_packets_total', { service: 'dhcp' }),
      1,
    );
    assert.equal(
      total(after, 'appliance_malformed_packets_total', { service: 'tftp' }),
      1,
    );
    assert.equal(total(after, 'appliance_phones'), 6);
    assert.equal(
      total(after, 'appliance_rollout_phones', {
        model: 'SSIP6000',
        state: 'failed',
      }),
      2,
    );
    assert.equal(total(after, 'appliance_config_reloads_total'), 0);
    // The front-desk VVX booted again, twice: it came back running the new release.
    const again = seen.afterReboot;
    assert.equal(
      total(again, 'appliance_phones', { firmware: '5.9.7.4477' }),
      1,
    );
    assert.equal(
      total(again, 'appliance_rollout_phones', {
        model: 'VVX410',
        state: 'done',
      }),
      1,
    );
    assert.ok(
      total(again, 'appliance_transfers_total') >
        total(after, 'appliance_transfers_total'),
    );
    assert.ok(
      total(again, 'appliance_dhcp_messages_total') >
        total(after, 'appliance_dhcp_messages_total'),
    );
  });

  test('CLI: `appliance phones` and `appliance leases` print tables from the data directory', async (t) => {
    const { phones, leases } = seen.cli;
    assert.match(phones, /^MAC\s+LABEL\s+SITE\s+MODEL/);
    assert.match(
      phones,
      new RegExp(`${mac(2)}\\s+Front desk\\s+lab\\s+VVX410\\s+3111-46162-001`),
    );
    assert.match(phones, /6 phones/);
    assert.match(leases, /^SITE\s+SUBNET\s+MODE\s+POOL\s+USED\s+FREE/);
    assert.match(
      leases,
      /lab\s+10\.91\.10\.0\/24\s+authoritative\s+50\s+6\s+44/,
    );
    assert.match(leases, /6 leases/);
    const file = join(ops.dir, 'admin-cli.txt');
    await writeFile(
      file,
      `$ appliance phones\n${phones}\n$ appliance leases --site lab\n${leases}`,
    );
    t.diagnostic(`tables: ${file}`);
  });

  test('check-sync: phones that never answer time out, a phone never seen has no address', () => {
    assert.deepEqual(seen.job.summary, {
      ADMIN_NOTIFY_TIMEOUT: 2,
      ADMIN_NOTIFY_NO_ADDRESS: 1,
    });
  });

  test('hot reload: a broken appliance.yaml is refused and the config state says where', () => {
    assert.match(
      seen.config.lastError!.issues[0]!.text,
      /appliance\.yaml:18:5 .*leaseTme/,
    );
  });

  test('page: headless Chromium shows phones, rollout, timeline, pools, errors, config and jobs', async (t) => {
    const shot = join(ops.dir, 'admin-page.png');
    const r = await ops.lab.exec(
      'phones',
      [process.execPath, RENDER, `${ADMIN}/`, TOKEN, shot, mac(2)],
      { timeoutMs: 60_000 },
    );
    t.diagnostic(`screenshot: ${shot}`);
    const dom = JSON.parse(r.stdout) as {
      status: number;
      phones: string[];
      rows: string[][];
      rollout: { model: string; bars: [string, number, number][] }[];
      timelineTitle: string;
      timeline: string[];
      pools: string[];
      errors: number;
      consoleErrors: string[];
      searched: string[];
      config: string;
      jobs: string;
    };
    assert.equal(dom.status, 200);
    assert.deepEqual(dom.consoleErrors, []);
    assert.deepEqual(dom.phones, [0, 1, 2, 3, 4, 5].map(mac));
    assert.ok(
      dom.rows.find((row) => row[0] === mac(2))!.includes('Front desk'),
    );
    assert.deepEqual(
      dom.rollout.map((g) => g.model),
      ['SPIP650', 'SSIP6000', 'VVX410'],
    );
    const vvxBars = dom.rollout.find((g) => g.model === 'VVX410')!.bars;
    assert.deepEqual(
      vvxBars.map(([s, n]) => [s, n]),
      [
        ['done', 1],
        ['in-progress', 1],
        ['not-yet', 1],
      ],
    );
    assert.ok(
      vvxBars.every(([, , w]) => w > 0),
      'bars are drawn',
    );
    assert.ok(
      dom.rollout
        .find((g) => g.model === 'SSIP6000')!
        .bars.some(([s]) => s === 'failed'),
    );
    assert.match(dom.timelineTitle, new RegExp(`${mac(2)} \\(Front desk\\)`));
    assert.ok(
      dom.timeline.some((l) => /dhcp.*REQUEST→ACK/.test(l)),
      dom.timeline.slice(0, 5).join('\n'),
    );
    assert.ok(
      dom.timeline.some((l) => /download.*3111-46162-001\.sip\.ld/.test(l)),
    );
    assert.ok(dom.timeline.some((l) => /upload.*-boot\.log/.test(l)));
    assert.ok(
      dom.pools.some((p) =>
        p.startsWith(
          'lab (10.91.10.0/24, authoritative): 6 used, 44 free of 50',
        ),
      ),
      dom.pools.join('\n'),
    );
    assert.ok(dom.errors >= 2);
    assert.match(dom.config, /sha256 [0-9a-f]{12}.* · refused 1(?!\d)/);
    assert.match(dom.config, /last reload refused .*appliance\.yaml:18:5/);
    assert.ok(
      dom.timeline.some((l) =>
        /notify.*check-sync.*ADMIN_NOTIFY_TIMEOUT/.test(l),
      ),
      'the check-sync is on the timeline',
    );
    assert.match(
      dom.jobs,
      /VVX410: finished · 2 ADMIN_NOTIFY_TIMEOUT, 1 ADMIN_NOTIFY_NO_ADDRESS/,
    );
    assert.deepEqual(dom.searched, [mac(2)], 'search filters the table');
    if (process.env.UPDATE_SCREENSHOT)
      await copyFile(shot, join(REPO, 'docs/admin-page.png'));
  });
});
