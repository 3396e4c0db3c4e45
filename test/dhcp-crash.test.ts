/**
 * kill -9 while perfdhcp runs, then restart on the same data directory: every ACK a client saw (captured
 * with tcpdump in the client's namespace: perfdhcp acts as a relay, so replies are unicast to it) is in the restarted server's leases, and no address was ever ACKed to two MACs.
 * Lab 10.91.3.0/24; the site is 10.91.0.0/16 inside the namespaces only.
 */

import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { messageType } from '../src/dhcp/codec/options.ts';
import { macOf } from '../src/dhcp/codec/packet.ts';
import { readJournal } from '../src/dhcp/leases/journal-format.ts';
import { JOURNAL_FILE } from '../src/dhcp/leases/store.ts';
import { createLeaseTable } from '../src/dhcp/leases/table.ts';
import { formatIpv4, parseIpv4 } from '../src/shared/ipv4.ts';
import type { Mac } from '../src/shared/mac.ts';
import { benchYaml } from './lib/dhcp-fixture.ts';
import { labSkip, startServer } from './lib/dhcp-lab.ts';
import { createLab, waitFor } from './lib/netns.ts';
import { dhcpPacketsFromPcap } from './lib/pcap.ts';

const skip = await labSkip(['perfdhcp', 'tcpdump']);
/** ACKs the client must have seen before the kill, and from the restarted server, however fast the machine. */
const ACKS_BEFORE_KILL = 101;
const ACKS_AFTER_RESTART = 50;

test('kill -9 during perfdhcp: no ACKed lease lost, no address given twice', {
  skip,
  timeout: 60_000,
}, async () => {
  const lab = await createLab({
    prefix: 'dhcpk',
    hosts: ['srv', 'cli', 'spy'],
    subnet: '10.91.3',
  });
  try {
    const yaml = (dataDir: string): string =>
      benchYaml({ net: '10.91.3', dataDir });
    const first = await startServer(lab, 'srv', {}, undefined, yaml);
    const pcap = join(first.dir, 'replies.pcap');
    const spy = lab.spawn(
      'cli',
      [
        'tcpdump',
        '-i',
        'eth0',
        '-n',
        '-U',
        '-Z',
        'root',
        '-w',
        pcap,
        'udp and src port 67',
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let spyErr = '';
    spy.stderr!.on('data', (d: Buffer) => {
      spyErr += d.toString();
    });
    await waitFor(() => spyErr.includes('listening on'), 10_000, 'tcpdump');
    const acksNow = (): { yiaddr: string; mac: Mac }[] =>
      dhcpPacketsFromPcap(pcap)
        .filter((p) => messageType(p) === 5)
        .map((p) => ({ yiaddr: formatIpv4(p.yiaddr), mac: macOf(p) }));
    const perf = lab.spawn(
      'cli',
      ['perfdhcp', '-4', '-l', 'eth0', '-r', '400', '-p', '8', '-R', '1000000'],
      { stdio: 'ignore' },
    );
    await waitFor(
      () => acksNow().length >= ACKS_BEFORE_KILL,
      30_000,
      `${ACKS_BEFORE_KILL} ACKs captured`,
    );
    first.child.kill('SIGKILL');
    await waitFor(
      () => first.child.exitCode !== null || first.child.signalCode !== null,
      5000,
      'server killed',
    );
    const acksBefore = acksNow().length;
    const second = await startServer(lab, 'srv', {}, first.dir, yaml);
    await waitFor(
      () => acksNow().length >= acksBefore + ACKS_AFTER_RESTART,
      20_000,
      'ACKs from the restarted server',
    );
    perf.kill('SIGKILL');
    await waitFor(
      () => perf.exitCode !== null || perf.signalCode !== null,
      5000,
      'perfdhcp stopped',
    );
    second.child.kill('SIGTERM');
    await waitFor(() => second.child.exitCode !== null, 5000, 'server stopped');
    spy.kill('SIGTERM');
    await waitFor(
      () => spy.exitCode !== null || spy.signalCode !== null,
      5000,
      'tcpdump stopped',
    );

    const acks = acksNow();
    assert.ok(acksBefore > 100, `enough ACKs before the crash (${acksBefore})`);
    assert.ok(acks.length > acksBefore, 'the restarted server answered too');
    const macsByIp = new Map<string, Set<string>>();
    for (const a of acks)
      macsByIp.set(a.yiaddr, (macsByIp.get(a.yiaddr) ?? new Set()).add(a.mac));
    const dup = [...macsByIp].filter(([, m]) => m.size > 1);
    assert.deepEqual(dup, [], 'no address ACKed to two MACs');

    const { records } = readJournal(join(first.dataDir, JOURNAL_FILE));
    const table = createLeaseTable();
    for (const r of records) table.apply(r);
    const lost = acks.filter((a) => {
      const ip = parseIpv4(a.yiaddr);
      return !ip.ok || table.leaseOf(a.mac)?.ip !== ip.value;
    });
    assert.deepEqual(
      lost.slice(0, 5),
      [],
      `every ACKed lease persisted (${lost.length} of ${acks.length} missing)`,
    );
  } finally {
    await lab.destroy();
  }
});
