/** `appliance export` (src/cli/export.ts) as a process: arguments, --site, --out, findings on stderr, exit status. */

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { tempDir } from '../../test/lib/temp-dir.ts';

const execFileP = promisify(execFile);
const CLI = new URL('./export.ts', import.meta.url).pathname;
const FIXTURE = new URL(
  '../../test/fixtures/export/appliance.yaml',
  import.meta.url,
).pathname;

async function run(
  args: string[],
): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const r = await execFileP(process.execPath, [CLI, ...args]);
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (e) {
    const x = e as { code: number; stdout: string; stderr: string };
    return { code: x.code, stdout: x.stdout, stderr: x.stderr };
  }
}

test('kea to stdout; differences listed on stderr; exit 0', async () => {
  const r = await run(['kea', '--config', FIXTURE]);
  assert.equal(r.code, 0, r.stderr);
  const doc = JSON.parse(r.stdout) as {
    Dhcp4: { subnet4: { subnet: string }[] };
  };
  assert.deepEqual(
    doc.Dhcp4.subnet4.map((s) => s.subnet),
    ['10.93.1.0/24', '10.93.2.0/24', '10.93.3.0/24'],
  );
  assert.match(
    r.stderr,
    /^kea: differs sites\.hq\.vlan: .*\[DHCP_EXPORT_FIXED_VLAN\]$/m,
  );
});

test('--site keeps one site; --out writes the file', async () => {
  const out = join(tempDir('export-cli-'), 'dnsmasq.conf');
  const r = await run([
    'dnsmasq',
    '--config',
    FIXTURE,
    '--site',
    'remote',
    '--out',
    out,
  ]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, '');
  const text = readFileSync(out, 'utf8');
  assert.match(text, /^dhcp-range=set:site-remote,/m);
  assert.doesNotMatch(text, /site-hq/);
});

test('something lost: exit 2 and the reason on stderr', async () => {
  const dir = tempDir('export-cli-');
  const yaml = join(dir, 'appliance.yaml');
  writeFileSync(
    yaml,
    readFileSync(FIXTURE, 'utf8').replace(
      'match: { family: VVX }',
      'match: { vendorClass: VVX }',
    ),
  );
  const r = await run([
    'kea',
    '--config',
    yaml,
    '--out',
    join(dir, 'kea.json'),
  ]);
  assert.equal(r.code, 2);
  assert.match(
    r.stderr,
    /^kea: cannot express classes\.vvx: .*\[DHCP_EXPORT_VENDOR_CLASS_SUBSTRING\]$/m,
  );
});

test('bad arguments and bad config exit 1 with a message', async () => {
  for (const args of [
    ['bind'],
    ['dnsmasq', '--config', FIXTURE, '--ha', 'http://a:1/,http://b:1/'],
    ['kea', '--config', FIXTURE, '--ha', 'http://a:1/'],
    ['kea', '--config', FIXTURE, '--ha-this', 'standby'],
    ['kea', '--config', FIXTURE, '--site', 'nowhere'],
    ['kea', '--config', '/nonexistent/appliance.yaml'],
    ['kea', '--bogus'],
  ]) {
    const r = await run(args);
    assert.equal(r.code, 1, `${args.join(' ')}: ${r.stderr}`);
    assert.ok(r.stderr.length > 0, args.join(' '));
  }
});

test('--ha writes both peers, this server named', async () => {
  const r = await run([
    'kea',
    '--config',
    FIXTURE,
    '--ha',
    'http://10.0.0.1:8001,http://10.0.0.2:8001',
    '--ha-this',
    'standby',
    '--ha-delay',
    '10000',
  ]);
  assert.equal(r.code, 0, r.stderr);
  const ha = (
    JSON.parse(r.stdout) as {
      Dhcp4: {
        'hooks-libraries': {
          parameters?: { 'high-availability'?: Record<string, unknown>[] };
        }[];
      };
    }
  ).Dhcp4['hooks-libraries'].flatMap(
    (h) => h.parameters?.['high-availability'] ?? [],
  )[0]!;
  assert.equal(ha['this-server-name'], 'standby');
  assert.equal(ha['max-response-delay'], 10000);
  assert.deepEqual(
    (ha.peers as { url: string }[]).map((p) => p.url),
    ['http://10.0.0.1:8001/', 'http://10.0.0.2:8001/'],
  );
});
