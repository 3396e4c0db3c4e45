/**
 * check-sync against sipp acting as the phones, each in its own network namespace. The appliance (HTTP + admin,
 * test/lib/admin/lab-appliance.ts) runs in "srv"; `appliance notify all --wave 2` (src/cli/notify.ts) asks it.
 * p1..p4 answer 200 and then re-fetch their configuration over HTTP with curl (sipp <exec>), as a phone does
 * after check-sync; p5 stays silent. Checked: the NOTIFY on the wire, the retransmission schedule (T1 = 50 ms,
 * T2 = 300 ms, given up at 64*T1 = 3.2 s) and the report, and that wave 2 starts only after wave 1 re-fetched.
 * Lab 10.91.10.0/24, prefix "ops".
 */

import assert from 'node:assert/strict';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { opsLab } from './lib/admin/fixture.ts';
import { startLabAppliance } from './lib/admin/start-lab-appliance.ts';
import { labYaml } from './lib/lab-yaml.ts';
import { canRunLab, createLab, missingCommands, waitFor } from './lib/netns.ts';
import { answeringPhone } from './lib/sipp-scenarios.ts';
import { tempDir } from './lib/temp-dir.ts';

const REPO = resolve(new URL('..', import.meta.url).pathname);
const CLI = join(REPO, 'bin/appliance.js');
const TOKEN = 'ops-test-token-0123456789';
const UA = 'FileTransport PolycomVVX-VVX_410-UA/5.9.7.4477 Type/Application';
const PHONES = ['p1', 'p2', 'p3', 'p4', 'p5'] as const;
const macOf = (i: number): string =>
  `0004f2c000${(i + 1).toString(16).padStart(2, '0')}`;

async function skipReason(): Promise<string | false> {
  const missing = canRunLab()
    ? await missingCommands(['sipp', 'curl', 'ip'])
    : [];
  if (canRunLab() && missing.length === 0) return false;
  const why = canRunLab()
    ? `missing ${missing.join(', ')} (apt-get install sip-tester curl)`
    : 'needs root for network namespaces';
  if (process.env.CI)
    throw new Error(`check-sync test cannot run in CI: ${why}`);
  return why;
}

/** The phone: answers 200, waits 300 ms (it would be busy), then re-reads its configuration like after a boot. */
const answering = (dir: string, name: string, mac: string): string =>
  answeringPhone(
    'polycom phone answering check-sync',
    `<recv request="NOTIFY"><action><exec command="date +%s%3N >> ${dir}/${name}.recv"/></action></recv>`,
    `  <pause milliseconds="300"/>
  <nop><action><exec command="date +%s%3N >> ${dir}/${name}.fetching; curl -sf -o /dev/null -A '${UA}' http://10.91.10.1/000000000000.cfg; date +%s%3N >> ${dir}/${name}.fetched; curl -sf -o /dev/null -A '${UA}' http://10.91.10.1/${mac}-appliance.cfg"/></action></nop>
`,
  );

const silent = `<?xml version="1.0" encoding="ISO-8859-1" ?>
<scenario name="phone that never answers">
  <recv request="NOTIFY"/>
  <pause milliseconds="5000"/>
</scenario>
`;

const times = async (f: string): Promise<number[]> =>
  (await readFile(f, 'utf8').catch(() => ''))
    .split('\n')
    .filter(Boolean)
    .map(Number);

/** Messages sipp logged with -trace_msg: timestamp and text of each received datagram. */
function received(log: string): { at: number; text: string }[] {
  return log
    .split(/^-{20,} /m)
    .slice(1)
    .flatMap((chunk) => {
      const m =
        /^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+)\nUDP message received \[\d+\] bytes :\n\n([\s\S]*)$/.exec(
          chunk,
        );
      return m
        ? [
            {
              at: Date.parse(`${m[1]!.replace(' ', 'T').slice(0, 23)}Z`),
              text: m[2]!.trim(),
            },
          ]
        : [];
    });
}

test('check-sync: NOTIFY on the wire, retransmitted and reported when unanswered, waves wait for re-fetch', {
  timeout: 90_000,
}, async (t) => {
  const skip = await skipReason();
  if (skip) {
    t.skip(skip);
    return;
  }
  const dir = tempDir('ops-notify-');
  await mkdir(join(dir, 'tftpboot'), { recursive: true });
  await mkdir(join(dir, 'data'), { recursive: true });
  const yamlPath = join(dir, 'appliance.yaml');
  await writeFile(
    yamlPath,
    labYaml(
      opsLab({ dir, token: TOKEN, dhcp: false, tftp: false, phones: {} }),
    ),
  );
  const lab = await createLab({
    prefix: 'ops',
    hosts: ['srv', ...PHONES],
    subnet: '10.91.10',
  });
  try {
    await startLabAppliance(lab, 'srv', yamlPath, [
      '--sip-t1',
      '50',
      '--sip-t2',
      '300',
      '--refetch-timeout',
      '5000',
    ]);

    // Each phone boots: one configuration fetch with its User-Agent puts it in the inventory with its address.
    for (const [i, p] of PHONES.entries()) {
      await lab.exec(p, [
        'curl',
        '-sf',
        '-o',
        '/dev/null',
        '-A',
        UA,
        `http://10.91.10.1/${macOf(i)}-appliance.cfg`,
      ]);
      await writeFile(
        join(dir, `${p}.xml`),
        i < 4 ? answering(dir, p, macOf(i)) : silent,
      );
      lab.spawn(
        p,
        [
          'sipp',
          '-sf',
          join(dir, `${p}.xml`),
          '-i',
          lab.hosts[p]!.address,
          '-p',
          '5060',
          '-m',
          '1',
          '-nostdin',
          '-trace_msg',
          '-message_file',
          join(dir, `${p}.log`),
        ],
        { stdio: 'ignore', env: { ...process.env, TZ: 'UTC' } },
      );
    }
    for (const p of PHONES)
      await waitFor(
        async () =>
          (await lab.exec(p, ['ss', '-Hlun', 'sport = :5060'])).stdout.includes(
            '5060',
          ),
        5000,
        `sipp in ${p}`,
      );

    const bad = await lab.exec(
      'srv',
      [
        process.execPath,
        CLI,
        'notify',
        'SSIP9999',
        '--url',
        'http://10.91.10.1:8080',
        '--token',
        TOKEN,
      ],
      { allowFail: true },
    );
    assert.equal(bad.code, 2, 'an unknown selector is a usage error');
    assert.match(bad.stderr, /ADMIN_NOTIFY_NO_TARGET/);

    const r = await lab.exec(
      'srv',
      [
        process.execPath,
        CLI,
        'notify',
        'all',
        '--wave',
        '2',
        '--url',
        'http://10.91.10.1:8080',
        '--token',
        TOKEN,
        '--json',
      ],
      { allowFail: true, timeoutMs: 30_000 },
    );
    assert.equal(r.code, 1, `one phone did not answer: exit 1\n${r.stderr}`);
    assert.match(r.stderr, /wave 3\/3/, 'progress shown while it runs');
    const job = JSON.parse(r.stdout) as {
      phones: {
        mac: string;
        address: string;
        wave: number;
        state: string;
        status?: number;
        attempts: number;
        sentAt: number;
        refetchedAt?: number;
      }[];
    };
    assert.deepEqual(
      job.phones.map((p) => [p.mac, p.address, p.wave, p.state]),
      [
        [macOf(0), '10.91.10.2', 1, 'refetched'],
        [macOf(1), '10.91.10.3', 1, 'refetched'],
        [macOf(2), '10.91.10.4', 2, 'refetched'],
        [macOf(3), '10.91.10.5', 2, 'refetched'],
        [macOf(4), '10.91.10.6', 3, 'ADMIN_NOTIFY_TIMEOUT'],
      ],
    );
    // Usually one transmission each; on a loaded machine sipp may answer after T1 (50 ms here) and see a retransmission.
    assert.deepEqual(
      job.phones.slice(0, 4).map((p) => p.status),
      [200, 200, 200, 200],
    );
    assert.ok(
      job.phones.slice(0, 4).every((p) => p.attempts >= 1 && p.attempts <= 3),
      JSON.stringify(job.phones),
    );

    // The NOTIFY as the phone received it.
    const first = received(await readFile(join(dir, 'p1.log'), 'utf8'));
    assert.ok(
      first.length >= 1 && first.every((m) => m.text === first[0]!.text),
      'retransmissions, if any, are identical',
    );
    const lines = first[0]!.text.split(/\r?\n/);
    assert.equal(lines[0], 'NOTIFY sip:10.91.10.2:5060 SIP/2.0');
    const h = (name: string): string | undefined =>
      lines
        .find((l) => l.toLowerCase().startsWith(`${name.toLowerCase()}:`))
        ?.slice(name.length + 1)
        .trim();
    assert.match(
      h('Via')!,
      /^SIP\/2\.0\/UDP 10\.91\.10\.1:\d+;branch=z9hG4bK[0-9a-f]{16};rport$/,
    );
    assert.match(h('From')!, /^<sip:appliance@10\.91\.10\.1>;tag=[0-9a-f]+$/);
    assert.equal(h('To'), '<sip:10.91.10.2:5060>');
    assert.match(h('Call-ID')!, /^[0-9a-f]{20}@10\.91\.10\.1$/);
    assert.equal(h('CSeq'), '1 NOTIFY');
    assert.equal(h('Max-Forwards'), '70');
    assert.equal(h('Event'), 'check-sync');
    assert.equal(h('Content-Length'), '0');

    // The silent phone: the same request again and again, gaps doubling from T1 up to T2, until 64*T1.
    const tries = received(await readFile(join(dir, 'p5.log'), 'utf8'));
    // Sent at 0, 50, 150, 350, 650, 950 … 3050 ms: 13 times before 64*T1 = 3200 ms (150 ms to spare, so a
    // loaded machine delaying timers does not change the count).
    // (Timer E is re-armed when it fires, so on a badly overloaded machine the 13th can slip past Timer F.)
    assert.ok(
      tries.length === 13 || tries.length === 12,
      `${tries.length} transmissions`,
    );
    assert.equal(
      job.phones[4]!.attempts,
      tries.length,
      'the report counts what the phone received',
    );
    assert.ok(
      tries.every((x) => x.text === tries[0]!.text),
      'retransmissions are byte-identical (same branch)',
    );
    // Offsets from the first transmission, as sipp stamped them (its own loop adds jitter to single gaps; timer
    // delays on a loaded machine add up, hence the growing upper bound).
    const offsets = tries.map((x) => x.at - tries[0]!.at);
    for (const [i, want] of [0, 50, 150, 350, 650, 950, 1250].entries()) {
      assert.ok(
        offsets[i]! > want - 15 && offsets[i]! < want + 40 + 25 * i,
        `transmission ${i} at ${offsets[i]} ms, want ~${want}: ${offsets.join(',')}`,
      );
    }
    assert.ok(tries.at(-1)!.at - tries[0]!.at < 3200);

    // Waves, seen from the phones: p3 and p4 hear nothing before p1 and p2 began re-fetching (which they do
    // 300 ms after their NOTIFY; without the gate wave 2 would be notified within milliseconds of wave 1), and
    // the silent p5 nothing before p3 and p4 did. Causal, so it holds however loaded the machine is.
    const last = async (ps: string[], what: string): Promise<number> =>
      Math.max(
        ...(
          await Promise.all(ps.map((p) => times(join(dir, `${p}.${what}`))))
        ).flat(),
      );
    const firstOf = async (ps: string[], what: string): Promise<number> =>
      Math.min(
        ...(
          await Promise.all(ps.map((p) => times(join(dir, `${p}.${what}`))))
        ).flat(),
      );
    const wave1Started = await last(['p1', 'p2'], 'fetching');
    const wave2Heard = await firstOf(['p3', 'p4'], 'recv');
    assert.ok(
      wave2Heard > wave1Started,
      `wave 2 NOTIFY at ${wave2Heard} after wave 1 began re-fetching at ${wave1Started}`,
    );
    assert.ok(
      tries[0]!.at > (await last(['p3', 'p4'], 'fetching')),
      'wave 3 after wave 2 began re-fetching',
    );
    // And from the appliance's side: each wave was sent after every phone of the previous one re-fetched.
    for (const w of [2, 3]) {
      const prev = Math.max(
        ...job.phones
          .filter((p) => p.wave === w - 1)
          .map((p) => p.refetchedAt!),
      );
      assert.ok(
        job.phones.filter((p) => p.wave === w).every((p) => p.sentAt >= prev),
        `wave ${w} sent after wave ${w - 1} re-fetched`,
      );
    }

    // The inventory recorded each phone's check-sync.
    const phones = await lab.exec('srv', [
      'curl',
      '-sf',
      '-H',
      `Authorization: Bearer ${TOKEN}`,
      'http://10.91.10.1:8080/api/phones',
    ]);
    const list = (
      JSON.parse(phones.stdout) as {
        phones: { mac: string; lastNotify?: { result: string } }[];
      }
    ).phones;
    assert.deepEqual(
      list.map((p) => p.lastNotify?.result),
      ['ok', 'ok', 'ok', 'ok', 'ADMIN_NOTIFY_TIMEOUT'],
    );
  } finally {
    await lab.destroy();
  }
});
