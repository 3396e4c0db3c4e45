/**
 * The network stage of a simulated phone's boot: DHCP (again on the VLAN the lease names), the boot server
 * (from the lease per the boot-server mode, the flash, or DHCPINFORM), the boot log upload; and the DHCP
 * renewal a boot may end with.
 */

import { formatLocation, parseBootServer } from './boot-server.ts';
import {
  type BootServerSetting,
  bootServerFromOptions,
  vlanFromOptions,
} from './boot-server-select.ts';
import type { BootSession } from './boot-session.ts';
import { acquire, inform, renew } from './dhcp-client.ts';
import { simError } from './errors.ts';
import { inDir } from './master-config.ts';

export /** DHCP (again on the VLAN it names), the boot server from the lease, the flash or DHCPINFORM; then the boot log. */
async function dhcpAndBootServer(s: BootSession): Promise<void> {
  const { p, env, flash, mac } = s;
  let server: string | undefined = env.fixedServer;
  if (env.mux) {
    const mux = env.mux;
    let started = performance.now();
    let a = await acquire(mux, mac, s.dhcpSettings());
    if (!a.ok) s.fail('dhcp', started, a.error);
    s.retries += a.ok ? a.value.retries : 0;
    s.lease = a.ok ? a.value.value : undefined;
    s.record('dhcp', 'ok', started, 0, s.lease!.address);
    s.vlan = vlanFromOptions(s.lease!.options, p.vlan);
    if (s.vlan !== undefined) {
      // Now on the new VLAN: DHCP again there (the simulator stays on the same segment).
      started = performance.now();
      a = await acquire(mux, mac, s.dhcpSettings());
      if (!a.ok) s.fail('dhcp-vlan', started, a.error);
      s.retries += a.ok ? a.value.retries : 0;
      s.lease = a.ok ? a.value.value : s.lease;
      s.record(
        'dhcp-vlan',
        'ok',
        started,
        0,
        `VLAN ${s.vlan}: ${s.lease!.address}`,
      );
    }
    if (env.assignAddress)
      s.localAddress = await env.assignAddress(s.lease!.address);
    server =
      p.bootServer.mode === 'static'
        ? p.staticServer
        : bootServerFromOptions(s.lease!.options, p.bootServer);
    if (server === undefined && p.bootServer.mode !== 'static')
      server = flash.bootServer ?? p.staticServer;
    if (server === undefined) {
      started = performance.now();
      const informMode: BootServerSetting = {
        ...p.bootServer,
        mode: p.bootServer.mode === 'static' ? 'custom+66' : p.bootServer.mode,
      };
      const inf = await inform(
        mux,
        mac,
        s.lease!.address,
        s.dhcpSettings(),
        (o) => bootServerFromOptions(o, informMode) !== undefined,
      );
      if (!inf.ok)
        s.fail(
          'inform',
          started,
          simError(
            'SIM_NO_BOOT_SERVER',
            `no boot server in the lease and ${inf.error.message}`,
          ),
        );
      s.retries += inf.ok ? inf.value.retries : 0;
      server = inf.ok
        ? bootServerFromOptions(inf.value.value, informMode)
        : undefined;
      if (server === undefined)
        s.fail(
          'inform',
          started,
          simError(
            'SIM_NO_BOOT_SERVER',
            'the DHCPINFORM answer names no boot server',
          ),
        );
      s.record('inform', 'ok', started, 0, server);
    }
  }
  const started = performance.now();
  if (server === undefined)
    s.fail(
      'boot-server',
      started,
      simError('SIM_NO_BOOT_SERVER', 'no boot server'),
    );
  const loc = parseBootServer(server!, p.serverDefaults);
  if (!loc.ok) s.fail('boot-server', started, loc.error);
  s.location = loc.ok ? loc.value : undefined;

  // The boot log (Updater), into the log directory remembered from the last boot.
  const bootLog = Buffer.from(
    `${new Date().toISOString()} boot ${flash.boots + 1} of ${mac} (${p.id.model.model}) updater ${flash.bootVersion}\nDHCP ${s.lease?.address ?? '-'} boot server ${formatLocation(s.location!)}\n`,
  );
  await s.upload(
    'boot-log',
    inDir(flash.logDir, `${mac}-boot.log`),
    bootLog,
    'Updater',
  );
}

/** The DHCP renewal a boot may end with (a REQUEST for the lease it holds). */
export async function renewLease(s: BootSession): Promise<void> {
  const mux = s.env.mux;
  if (!s.p.renew || !mux || !s.lease) return;
  const started = performance.now();
  const r = await renew(mux, s.mac, s.lease, s.dhcpSettings());
  if (!r.ok) s.fail('renew', started, r.error);
  s.retries += r.ok ? r.value.retries : 0;
  s.record('renew', 'ok', started, 0, r.ok ? r.value.value.address : undefined);
}
