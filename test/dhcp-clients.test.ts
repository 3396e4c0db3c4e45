/**
 * Real clients against the DHCP service in a namespace lab (10.91.2.0/24): udhcpc with ASCII option 60,
 * dhclient with Polycom's binary option 60, dhcping INFORM, inform-only mode.
 */

import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  envScript,
  labSkip,
  readEnv,
  startServer,
  udhcpc,
} from './lib/dhcp-lab.ts';
import { SPIP601_VENDOR_CLASS } from './lib/dhcp-packets.ts';
import { createLab, waitFor } from './lib/netns.ts';

const skip = await labSkip(['udhcpc', 'dhclient', 'dhcping']);
const BOOT = 'ftp://PlcmSpIp:PlcmSpIp@10.91.2.1';
const hex = (s: string): string => Buffer.from(s).toString('hex');
/** The bytes of the packet dhcping -V dumps after "Got answer from". */
const replyBytes = (text: string): Buffer =>
  Buffer.from(
    text
      .split('\n')
      .filter((l) => /^([0-9a-f]{2} )+$/.test(l))
      .join('')
      .replace(/ /g, ''),
    'hex',
  );

test('udhcpc, dhclient (binary option 60) and dhcping against the appliance', {
  skip,
  timeout: 60_000,
}, async (t) => {
  const lab = await createLab({
    prefix: 'dhcpc',
    hosts: ['srv', 'cli', 'cli2'],
    subnet: '10.91.2',
  });
  try {
    const srv = await startServer(lab, 'srv');

    await t.test(
      'udhcpc -V Polycom-VVX410 gets range, router, DNS, 66, 160, 42, 2 and the VLAN string',
      async () => {
        const { script, out } = envScript(srv.dir, 'udhcpc', ['bound']);
        await lab.exec(
          'cli',
          udhcpc({
            script,
            tries: 4,
            vendorClass: 'Polycom-VVX410',
            ask: [66, 160, 42, 2, 128],
          }),
          { timeoutMs: 15_000 },
        );
        const env = readEnv(out)!;
        assert.ok(env, 'udhcpc bound');
        const ip = env.ip!.split('.').map(Number);
        assert.equal(ip.slice(0, 3).join('.'), '10.91.2');
        assert.ok(
          ip[3]! >= 100 && ip[3]! <= 199,
          `address ${env.ip} in the pool`,
        );
        assert.equal(env.subnet, '255.255.255.0');
        assert.equal(env.router, '10.91.2.254');
        assert.equal(env.dns?.trim(), '10.91.2.53 10.91.2.54');
        assert.equal(env.ntpsrv, '10.91.2.1');
        // busybox prints option 2 as unsigned: 4294945696 is ff ff ab a0, i.e. -21600 in two's complement.
        assert.equal(Number(BigInt.asIntN(32, BigInt(env.timezone!))), -21600);
        // busybox only accepts host names in option 66 and prints "bad" for a URL: present, value checked via 160
        // here and exactly by dhclient below.
        assert.ok(env.tftp !== undefined, 'option 66 sent');
        assert.equal(env.opt160, hex(BOOT));
        assert.equal(env.opt128, hex('VLAN-A=200;'));
        assert.equal(env.lease, '3600');
        assert.equal(env.serverid, '10.91.2.1');
      },
    );

    await t.test(
      'dhclient sending Polycom binary option 60 gets the same plus its class option',
      async () => {
        const { script, out } = envScript(srv.dir, 'dhclient', ['BOUND']);
        const conf = join(srv.dir, 'dhclient.conf');
        const v60 = Buffer.from(SPIP601_VENDOR_CLASS)
          .toString('hex')
          .replace(/(..)(?!$)/g, '$1:');
        writeFileSync(
          conf,
          [
            'option polycom-boot code 160 = text;',
            'option polycom-vlan code 128 = text;',
            'option tftp-list code 150 = array of ip-address;',
            `send vendor-class-identifier ${v60};`,
            'request subnet-mask, routers, domain-name-servers, ntp-servers, time-offset, tftp-server-name, polycom-boot, polycom-vlan, tftp-list;',
            '',
          ].join('\n'),
        );
        lab.spawn(
          'cli2',
          [
            'dhclient',
            '-d',
            '-1',
            '-4',
            '-cf',
            conf,
            '-lf',
            join(srv.dir, 'dhclient.leases'),
            '-pf',
            join(srv.dir, 'dhclient.pid'),
            '-sf',
            script,
            'eth0',
          ],
          { stdio: 'ignore' },
        );
        const env = await waitFor(() => readEnv(out), 15_000, 'dhclient BOUND');
        assert.match(env.new_ip_address!, /^10\.91\.2\.1\d\d$/);
        assert.equal(env.new_routers, '10.91.2.254');
        assert.equal(env.new_domain_name_servers, '10.91.2.53 10.91.2.54');
        assert.equal(env.new_ntp_servers, '10.91.2.1');
        assert.equal(env.new_time_offset, '-21600');
        assert.equal(env.new_tftp_server_name, BOOT);
        assert.equal(env.new_polycom_boot, BOOT);
        assert.equal(env.new_polycom_vlan, 'VLAN-A=200;');
        assert.equal(
          env.new_tftp_list,
          '10.91.2.1',
          'SoundPoint class option 150',
        );
      },
    );

    await t.test(
      'a SoundStation (another model) gets its class option 151',
      async () => {
        const { script, out } = envScript(srv.dir, 'ssip', ['bound']);
        await lab.exec(
          'cli',
          udhcpc({
            script,
            tries: 4,
            vendorClass: 'Polycom-SSIP6000',
            ask: [151, 150],
          }),
          { timeoutMs: 15_000 },
        );
        const env = readEnv(out)!;
        assert.equal(env.opt151, hex('conference-room'));
        assert.equal(env.opt150, undefined, 'not a SoundPoint');
      },
    );

    await t.test(
      'dhcping -i gets an INFORM answer with the boot server and no lease',
      async () => {
        const r = await lab.exec(
          'cli',
          [
            'dhcping',
            '-i',
            '-c',
            '10.91.2.2',
            '-s',
            '10.91.2.1',
            '-h',
            '00:04:f2:11:22:33',
            '-V',
            '-t',
            '3',
          ],
          { timeoutMs: 10_000, allowFail: true },
        );
        assert.equal(r.code, 0, r.stdout + r.stderr);
        assert.match(r.stdout, /Got answer from: 10\.91\.2\.1/);
        const answer = r.stdout.slice(r.stdout.indexOf('Got answer'));
        assert.match(answer, /DHCP message type: 5 \(DHCPACK\)/);
        assert.ok(
          replyBytes(answer).includes(
            Buffer.from([66, BOOT.length, ...Buffer.from(BOOT)]),
          ),
          'option 66 carries the boot server',
        );
        assert.doesNotMatch(answer, /^option 51 /m, 'no lease time');
        assert.match(answer, /yiaddr: 0\.0\.0\.0/);
      },
    );

    const stats = await srv.stats();
    assert.equal(stats.handlerErrors, 0);
  } finally {
    await lab.destroy();
  }
});

test('inform-only site: answers INFORM, ignores DISCOVER', {
  skip,
  timeout: 60_000,
}, async () => {
  const lab = await createLab({
    prefix: 'dhcpi',
    hosts: ['srv', 'cli'],
    subnet: '10.91.2',
  });
  try {
    const srv = await startServer(lab, 'srv', { mode: 'inform-only' });
    const { script, out } = envScript(srv.dir, 'udhcpc', ['bound']);
    const r = await lab.exec(
      'cli',
      udhcpc({ script, tries: 2, vendorClass: 'Polycom-VVX410' }),
      { timeoutMs: 15_000, allowFail: true },
    );
    assert.notEqual(r.code, 0, 'udhcpc must get no lease');
    assert.equal(readEnv(out), undefined);
    const inform = await lab.exec(
      'cli',
      ['dhcping', '-i', '-c', '10.91.2.2', '-s', '10.91.2.1', '-V', '-t', '3'],
      { timeoutMs: 10_000, allowFail: true },
    );
    assert.equal(inform.code, 0, inform.stdout);
    assert.ok(
      replyBytes(
        inform.stdout.slice(inform.stdout.indexOf('Got answer')),
      ).includes(Buffer.from(BOOT)),
      inform.stdout,
    );
    const stats = await srv.stats();
    assert.ok(
      ((stats.results as Record<string, number>).DHCP_INFORM_ONLY ?? 0) >= 1,
    );
    assert.equal((stats.replies as Record<string, number>).OFFER, undefined);
  } finally {
    await lab.destroy();
  }
});
