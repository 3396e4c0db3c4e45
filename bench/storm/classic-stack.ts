/**
 * The classic stack of a storm: the tree `appliance render --out DIR` writes, served by dnsmasq (DHCP, and
 * TFTP) plus vsftpd (FTP) or nginx (HTTP) configured as a phone VLAN's file server usually is.
 */
import { type ChildProcess, execFileSync } from 'node:child_process';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { APPLIANCE_MAIN } from '../../test/lib/phonesim-lab.ts';
import { childrenOf, folder, lab } from './lab.ts';
import { runPhones } from './phones.ts';
import {
  LABEL,
  type StackResult,
  type StormSpec,
  sampler,
  spawnWatched,
} from './stacks.ts';

function vsftpdConf(root: string, n: number): string {
  return [
    ...['listen=YES', 'listen_address=10.91.8.1', 'background=NO'],
    ...['anonymous_enable=YES', `anon_root=${root}`, 'no_anon_password=YES'],
    ...['local_enable=NO', 'write_enable=NO', 'pasv_enable=YES'],
    ...['pasv_min_port=31000', 'pasv_max_port=32999'],
    ...[`max_clients=${n * 2}`, `max_per_ip=${n * 2}`, 'seccomp_sandbox=NO'],
    ...['secure_chroot_dir=/var/run/vsftpd/empty', 'xferlog_enable=NO'],
    ...['use_sendfile=YES', ''],
  ].join('\n');
}

/** nginx as a phone VLAN's file server is usually set up (Debian's worker_processes auto: 2 here), static files, sendfile, no access log. */
function nginxConf(root: string, dir: string): string {
  return `user root;
worker_processes auto;
pid ${dir}/nginx.pid;
error_log stderr warn;
events { worker_connections 4096; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  keepalive_timeout 65;
  client_body_temp_path ${dir}/nginx-body;
  server {
    listen 10.91.8.1:80;
    root ${root};
  }
}
`;
}

export async function classicStack(spec: StormSpec): Promise<StackResult> {
  const { dir, yamlPath } = await folder(spec.models, spec.proto, spec.scale);
  const out = join(dir, 'rendered');
  execFileSync(
    process.execPath,
    [APPLIANCE_MAIN, 'render', '--config', yamlPath, '--out', out],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
  const l = await lab(spec.rateBps, spec.pin);
  const n = spec.models.length;
  let files:
    | { child: ChildProcess; name: string; out: () => string }
    | undefined;
  try {
    const url = {
      tftp: 'tftp://10.91.8.1',
      ftp: 'ftp://anonymous:phone@10.91.8.1',
      http: 'http://10.91.8.1',
    }[spec.proto];
    const dns = await spawnWatched(
      l,
      spec,
      [
        'dnsmasq',
        ...['--no-daemon', '--port=0', '--interface=eth0', '--bind-interfaces'],
        ...['--no-ping', '-u', 'root'],
        '--dhcp-range=10.91.9.0,10.91.15.250,255.255.248.0,1h',
        `--dhcp-leasefile=${join(dir, 'dnsmasq.leases')}`,
        '--dhcp-lease-max=100000',
        `--dhcp-option=66,${url}`,
        `--dhcp-option=160,${url}`,
        ...['--quiet-dhcp', '--log-facility=-'],
        ...(spec.proto === 'tftp'
          ? [
              '--enable-tftp',
              `--tftp-root=${out}`,
              `--tftp-max=${Math.max(50, n)}`,
            ]
          : []),
      ],
      '',
    );
    if (spec.proto === 'ftp') {
      const conf = join(dir, 'vsftpd.conf');
      await writeFile(conf, vsftpdConf(out, n));
      files = {
        ...(await spawnWatched(l, spec, ['vsftpd', conf], '')),
        name: 'vsftpd',
      };
    } else if (spec.proto === 'http') {
      const conf = join(dir, 'nginx.conf');
      await writeFile(conf, nginxConf(out, dir));
      files = {
        ...(await spawnWatched(
          l,
          spec,
          ['nginx', '-c', conf, '-g', 'daemon off;'],
          '',
        )),
        name: 'nginx',
      };
    }
    await new Promise((r) => setTimeout(r, 500));
    const sd = sampler(() => dns.child.pid);
    // nginx: master + workers; vsftpd's figure is its listener only (it forks a process per session).
    const server = files;
    const sf = server
      ? sampler(() => server.child.pid, server.name === 'nginx')
      : undefined;
    const sim = await runPhones(
      l,
      dir,
      spec,
      spec.proto === 'tftp' ? [] : ['--server-type', spec.proto],
      {
        label: LABEL[spec.proto].classic,
        appliance: false,
        serverOut: () => `${dns.out()}\n${server?.out() ?? ''}`,
        serverPid: () => dns.child.pid,
      },
    );
    const d = sd.stop();
    const f = sf?.stop();
    return {
      stack: LABEL[spec.proto].classic,
      proto: spec.proto,
      sim: sim.sim,
      simWallMs: sim.wallMs,
      simCpuS: sim.cpuS,
      peakRssKb: { dnsmasq: d.rssKb, ...(f ? { [files!.name]: f.rssKb } : {}) },
      cpuS: { dnsmasq: d.cpuS, ...(f ? { [files!.name]: f.cpuS } : {}) },
    };
  } finally {
    // The lab kills what it started; nginx's workers and vsftpd's sessions are their children: killed here by
    // PID, after their parent (an nginx master outliving its workers would start new ones).
    const kids = childrenOf(files?.child.pid);
    for (const c of [files?.child.pid, ...kids])
      try {
        if (c) process.kill(c, 'SIGKILL');
      } catch {
        /* gone */
      }
    await l.destroy();
    await rm(dir, { recursive: true, force: true });
  }
}
