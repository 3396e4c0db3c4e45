/**
 * Operations end to end: DHCP + TFTP + HTTP + the admin server (test/lib/admin/lab-appliance.ts) in one
 * namespace, appliance-phonesim booting phones in another. Checked: the admin API refuses requests without the
 * token (and /health is open); the inventory holds each phone's decoded option-60 fields and its fetch/upload
 * history; /metrics parses as Prometheus text and its counters move with the traffic; `appliance phones` and
 * `appliance leases` print tables; the page renders in headless Chromium with the phones, the rollout picture
 * and a phone's timeline (screenshot kept in .artifacts/admin-page.png; UPDATE_SCREENSHOT=1 also writes
 * docs/admin-page.png). Lab 10.91.10.0/24, prefix "ops".
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createLab, canRunLab, missingCommands, waitFor, type Lab } from './lib/netns.ts';
import { applianceFolder, PHONESIM, REPO } from './lib/phonesim-lab.ts';
import { parseProm, total, type Sample } from './lib/admin/prom-parse.ts';
import { firmwareYaml } from './lib/lab-yaml.ts';

const HARNESS = join(REPO, 'test/lib/admin/lab-appliance.ts');
const RENDER = join(REPO, 'test/lib/admin/render-page.ts');
const OPS = join(REPO, 'src/cli/ops.ts');
const TOKEN = 'ops-lab-token-0123456789abcdef';
const ADMIN = 'http://10.91.10.1:8080';
const MODELS = ['SPIP650', 'SSIP6000', 'VVX410'];
const mac = (i: number): string => `0004f2a000${(i + 1).toString(16).padStart(2, '0')}`;

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
  const missing = canRunLab() ? await missingCommands(['curl', 'chromium', 'ip']) : [];
  if (canRunLab() && missing.length === 0) return false;
  const why = canRunLab() ? `missing ${missing.join(', ')} (apt-get install curl chromium)` : 'needs root for network namespaces';
  if (process.env.CI) throw new Error(`admin lab test cannot run in CI: ${why}`);
  return why;
}

const curl = async (lab: Lab, path: string, auth?: string): Promise<{ status: number; body: string; headers: string }> => {
  const args = ['curl', '-s', '-i', '-w', '\n%{http_code}', ...(auth ? ['-H', `Authorization: ${auth}`] : []), `${ADMIN}${path}`];
  const r = await lab.exec('phones', args);
  const status = Number(r.stdout.slice(r.stdout.lastIndexOf('\n') + 1));
  const rest = r.stdout.slice(0, r.stdout.lastIndexOf('\n'));
  const split = rest.indexOf('\r\n\r\n');
  return { status, headers: rest.slice(0, split), body: rest.slice(split + 4) };
};
const bearer = `Bearer ${TOKEN}`;
const metrics = async (lab: Lab): Promise<Sample[]> => {
  const r = await curl(lab, '/metrics', bearer);
  assert.equal(r.status, 200);
  assert.match(r.headers, /content-type: text\/plain; version=0\.0\.4/i);
  const p = parseProm(r.body);
  assert.ok(p.ok, p.ok ? '' : p.error);
  return p.value;
};

test('admin: auth, inventory from real boots, metrics move with traffic, CLI tables, page in Chromium', { timeout: 120_000 }, async (t) => {
  const skip = await skipReason();
  if (skip) { t.skip(skip); return; }
  const { dir, yamlPath } = await applianceFolder(YAML, [
    { folder: 'sp-4.0.11', name: '2345-12600-001.sip.ld', size: 200_000 },
    { folder: 'sp-4.0.11', name: '2345-12600-001.bootrom.ld', size: 80_000 },
    { folder: 'sp-4.0.11', name: '3111-15600-001.sip.ld', size: 200_000 },
    // No SoundStation bootROM image: those phones get TREE_NOT_FOUND, an error the page must show.
    { folder: 'ucs-5.9.7', name: '3111-46162-001.sip.ld', size: 300_000 },
  ], { 'ucs-5.9.7/sip.ver': '5.9.7.4477' });
  const lab = await createLab({ prefix: 'ops', hosts: ['app', 'phones'], subnet: '10.91.10' });
  try {
    await lab.exec('phones', ['ip', 'route', 'add', 'default', 'dev', 'eth0']);
    const app = lab.spawn('app', [process.execPath, HARNESS, yamlPath, '--sip-t1', '20'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    app.stdout!.on('data', (d: Buffer) => { out += d; });
    app.stderr!.on('data', (d: Buffer) => { out += d; });
    await waitFor(() => out.includes('admin ready') || app.exitCode !== null, 20_000, 'admin server');
    assert.match(out, /admin ready 8080/, out);

    // Credentials: none, wrong, bearer, basic with any user; /health open.
    assert.equal((await curl(lab, '/health')).status, 200);
    for (const path of ['/api/phones', '/metrics', '/', '/api/config']) {
      const r = await curl(lab, path);
      assert.equal(r.status, 401, `${path} without credentials`);
      assert.match(r.headers, /www-authenticate: Basic/i);
      assert.equal((await curl(lab, path, 'Bearer wrong-token-0123456789')).status, 401, `${path} with a wrong token`);
    }
    assert.equal((await curl(lab, '/api/phones', `Basic ${Buffer.from(`anyone:${TOKEN}`).toString('base64')}`)).status, 200);

    const before = await metrics(lab);
    assert.equal(total(before, 'appliance_transfers_total'), 0);

    const sim = await lab.exec('phones', [process.execPath, PHONESIM, '--quiet', '--count', '6', '--model', MODELS.join(','), '--mac-base', mac(0),
      '--assign-addresses', 'eth0', '--dhcp-timeout', '1000', '--boots', '1', '--uploads', 'best-effort'], { allowFail: true, timeoutMs: 60_000 });
    assert.ok(sim.code === 0 || sim.code === 1, `phonesim ran: ${sim.stderr.slice(-2000)}`);
    // Malformed datagrams to DHCP and TFTP are dropped and counted.
    await lab.exec('phones', [process.execPath, '-e', "const s=require('dgram').createSocket('udp4');s.send(Buffer.from('junk'),67,'10.91.10.1',()=>s.send(Buffer.from([0,9]),69,'10.91.10.1',()=>s.close()))"]);
    await new Promise((r) => setTimeout(r, 300));

    // Inventory: option-60 fields and fetch/upload history of each phone.
    const list = JSON.parse((await curl(lab, '/api/phones', bearer)).body) as { phones: Record<string, unknown>[] };
    assert.deepEqual(list.phones.map((p) => p.mac), [0, 1, 2, 3, 4, 5].map(mac));
    const byMac = new Map(list.phones.map((p) => [p.mac as string, p]));
    const sp = byMac.get(mac(0))!;
    assert.deepEqual([sp.vendor, sp.model, sp.partNumber, sp.hardwareRevision, sp.state, sp.label, sp.site], ['Polycom', 'SPIP650', '2345-12600-001', '1', 'known', 'Reception', 'lab']);
    assert.match(String(sp.bootVersionString), /^BR\//);
    const vvx = byMac.get(mac(2))!;
    // One boot each: the image is fetched and flashed, the phone has not come back with it yet.
    assert.deepEqual([vvx.model, vvx.partNumber, vvx.runningVersion, vvx.offeredVersion, vvx.rollout], ['VVX410', '3111-46162-001', '4.0.0.0000', '5.9.7.4477', 'in-progress']);
    assert.match(String(vvx.bootVersionString), /^UP\//);
    assert.match(String(vvx.address), /^10\.91\.10\.1[0-4]\d$/);
    assert.equal(byMac.get(mac(4))!.state, 'new', 'a MAC not in appliance.yaml is listed as new');
    assert.equal(byMac.get(mac(1))!.rollout, 'failed', 'SoundStation bootROM image missing');
    const detail = JSON.parse((await curl(lab, `/api/phones/${mac(2)}`, bearer)).body) as { timeline: { kind: string; path?: string; result: string }[]; files: Record<string, { downloads: number; uploads: number }> };
    const kinds = new Set(detail.timeline.map((e) => e.kind));
    for (const k of ['dhcp', 'download', 'upload']) assert.ok(kinds.has(k), `timeline has ${k}`);
    assert.ok(detail.files['000000000000.cfg']!.downloads >= 1);
    assert.ok(detail.files['ucs-5.9.7/3111-46162-001.sip.ld']!.downloads >= 1);
    assert.ok(Object.entries(detail.files).some(([p, f]) => p.includes(`${mac(2)}-boot.log`) && f.uploads >= 1), Object.keys(detail.files).join(' '));
    const errors = JSON.parse((await curl(lab, '/api/errors', bearer)).body) as { errors: { code: string; path?: string }[] };
    assert.ok(errors.errors.some((e) => e.code === 'TREE_NOT_FOUND' && e.path?.includes('3111-15600-001.bootrom.ld')), JSON.stringify(errors.errors.slice(0, 5)));
    const rollout = JSON.parse((await curl(lab, '/api/rollout', bearer)).body) as { models: { model: string; counts: Record<string, number>; unseen: number }[] };
    const vvxRow = rollout.models.find((m) => m.model === 'VVX410')!;
    assert.deepEqual([vvxRow.counts['in-progress'], vvxRow.counts['not-yet'], vvxRow.unseen], [2, 1, 1]);

    // Metrics moved with the traffic.
    const after = await metrics(lab);
    assert.ok(total(after, 'appliance_transfers_total', { protocol: 'tftp', direction: 'download', result: 'ok' }) >= 12);
    assert.ok(total(after, 'appliance_transfers_total', { result: 'TREE_NOT_FOUND' }) >= 2);
    assert.ok(total(after, 'appliance_transfer_bytes_total', { protocol: 'tftp', direction: 'download' }) >= 6 * 200_000);
    assert.ok(total(after, 'appliance_dhcp_messages_total', { message: 'REQUEST', reply: 'ACK' }) >= 6);
    assert.ok(total(after, 'appliance_dhcp_requests_total', { type: 'DISCOVER' }) >= 6);
    assert.equal(total(after, 'appliance_dhcp_leases_used', { site: 'lab' }), 6);
    assert.equal(total(after, 'appliance_dhcp_leases_free', { site: 'lab' }), 44);
    assert.equal(total(after, 'appliance_dhcp_leases_free', { site: 'annex' }), 50);
    assert.equal(total(after, 'appliance_malformed_packets_total', { service: 'dhcp' }), 1);
    assert.equal(total(after, 'appliance_malformed_packets_total', { service: 'tftp' }), 1);
    assert.equal(total(after, 'appliance_phones'), 6);
    assert.equal(total(after, 'appliance_rollout_phones', { model: 'SSIP6000', state: 'failed' }), 2);
    assert.equal(total(after, 'appliance_config_reloads_total'), 0);

    // The front-desk VVX boots again, twice: it comes back running the new release. The counters move.
    await lab.exec('phones', [process.execPath, PHONESIM, '--quiet', '--count', '1', '--model', 'VVX410', '--mac-base', mac(2), '--assign-addresses', 'eth0', '--boots', '1', '--boot-twice'], { allowFail: true, timeoutMs: 30_000 });
    const again = await metrics(lab);
    assert.equal(total(again, 'appliance_phones', { firmware: '5.9.7.4477' }), 1);
    assert.equal(total(again, 'appliance_rollout_phones', { model: 'VVX410', state: 'done' }), 1);
    assert.ok(total(again, 'appliance_transfers_total') > total(after, 'appliance_transfers_total'));
    assert.ok(total(again, 'appliance_dhcp_messages_total') > total(after, 'appliance_dhcp_messages_total'));

    // Terminal tables, from the data directory.
    await new Promise((r) => setTimeout(r, 400)); // inventory.json is written 200 ms after a change here
    const phones = await lab.exec('app', [process.execPath, OPS, 'phones', '--config', yamlPath]);
    assert.match(phones.stdout, /^MAC\s+LABEL\s+SITE\s+MODEL/);
    assert.match(phones.stdout, new RegExp(`${mac(2)}\\s+Front desk\\s+lab\\s+VVX410\\s+3111-46162-001`));
    assert.match(phones.stdout, /6 phones/);
    const leases = await lab.exec('app', [process.execPath, OPS, 'leases', '--config', yamlPath, '--site', 'lab']);
    assert.match(leases.stdout, /^SITE\s+SUBNET\s+MODE\s+POOL\s+USED\s+FREE/);
    assert.match(leases.stdout, /lab\s+10\.91\.10\.0\/24\s+authoritative\s+50\s+6\s+44/);
    assert.match(leases.stdout, /6 leases/);
    await mkdir(join(REPO, '.artifacts'), { recursive: true });
    await writeFile(join(REPO, '.artifacts/admin-cli.txt'), `$ appliance phones\n${phones.stdout}\n$ appliance leases --site lab\n${leases.stdout}`);

    // check-sync from the API: nothing listens for SIP in this lab, so both VVX phones time out (64*T1 = 1.3 s)
    // and the one never seen has no address.
    const posted = await lab.exec('phones', ['curl', '-sf', '-H', `Authorization: ${bearer}`, '-H', 'Content-Type: application/json', '-d', '{"target":"VVX410"}', `${ADMIN}/api/notify`]);
    const jobId = (JSON.parse(posted.stdout) as { job: { id: string } }).job.id;
    const job = await waitFor(async () => {
      const j = (JSON.parse((await curl(lab, `/api/notify/${jobId}`, bearer)).body) as { job: { finishedAt?: number; summary: Record<string, number> } }).job;
      return j.finishedAt === undefined ? undefined : j;
    }, 10_000, 'check-sync job');
    assert.deepEqual(job.summary, { ADMIN_NOTIFY_TIMEOUT: 2, ADMIN_NOTIFY_NO_ADDRESS: 1 });

    // A broken edit of appliance.yaml is refused; the config state says where (file:line:col).
    await writeFile(yamlPath, YAML.replace('    pool: 10.91.10.100-10.91.10.149', '    pool: 10.91.10.100-10.91.10.149\n    leaseTme: 600'));
    const cfg = await waitFor(async () => {
      const c = JSON.parse((await curl(lab, '/api/config', bearer)).body) as { failures: number; lastError?: { issues: { text: string }[] } };
      return c.failures > 0 ? c : undefined;
    }, 10_000, 'refused reload');
    assert.match(cfg.lastError!.issues[0]!.text, /appliance\.yaml:18:5 .*leaseTme/);

    // The page in headless Chromium.
    const shot = join(REPO, '.artifacts/admin-page.png');
    const r = await lab.exec('phones', [process.execPath, RENDER, `${ADMIN}/`, TOKEN, shot, mac(2)], { timeoutMs: 60_000 });
    const dom = JSON.parse(r.stdout) as { status: number; phones: string[]; rows: string[][]; rollout: { model: string; bars: [string, number, number][] }[]; timelineTitle: string; timeline: string[]; pools: string[]; errors: number; consoleErrors: string[]; searched: string[]; config: string; jobs: string };
    assert.equal(dom.status, 200);
    assert.deepEqual(dom.consoleErrors, []);
    assert.deepEqual(dom.phones, [0, 1, 2, 3, 4, 5].map(mac));
    assert.ok(dom.rows.find((row) => row[0] === mac(2))!.includes('Front desk'));
    assert.deepEqual(dom.rollout.map((g) => g.model), ['SPIP650', 'SSIP6000', 'VVX410']);
    const vvxBars = dom.rollout.find((g) => g.model === 'VVX410')!.bars;
    assert.deepEqual(vvxBars.map(([s, n]) => [s, n]), [['done', 1], ['in-progress', 1], ['not-yet', 1]]);
    assert.ok(vvxBars.every(([, , w]) => w > 0), 'bars are drawn');
    assert.ok(dom.rollout.find((g) => g.model === 'SSIP6000')!.bars.some(([s]) => s === 'failed'));
    assert.match(dom.timelineTitle, new RegExp(`${mac(2)} \\(Front desk\\)`));
    assert.ok(dom.timeline.some((l) => /dhcp.*REQUEST→ACK/.test(l)), dom.timeline.slice(0, 5).join('\n'));
    assert.ok(dom.timeline.some((l) => /download.*3111-46162-001\.sip\.ld/.test(l)));
    assert.ok(dom.timeline.some((l) => /upload.*-boot\.log/.test(l)));
    assert.ok(dom.pools.some((p) => p.startsWith('lab (10.91.10.0/24, authoritative): 6 used, 44 free of 50')), dom.pools.join('\n'));
    assert.ok(dom.errors >= 2);
    assert.match(dom.config, /sha256 [0-9a-f]{12}.*refused 1/);
    assert.match(dom.config, /last reload refused .*appliance\.yaml:18:5/);
    assert.ok(dom.timeline.some((l) => /notify.*check-sync.*ADMIN_NOTIFY_TIMEOUT/.test(l)), 'the check-sync is on the timeline');
    assert.match(dom.jobs, /VVX410: finished · 2 ADMIN_NOTIFY_TIMEOUT, 1 ADMIN_NOTIFY_NO_ADDRESS/);
    assert.deepEqual(dom.searched, [mac(2)], 'search filters the table');
    if (process.env.UPDATE_SCREENSHOT) await copyFile(shot, join(REPO, 'docs/admin-page.png'));
  } finally {
    await lab.destroy();
  }
});
