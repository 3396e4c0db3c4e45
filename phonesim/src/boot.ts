/**
 * One simulated phone's boot, in the order observed from a VVX 500 (facts §5.2) with the SoundPoint bootROM
 * step of [AG31-A]: DHCP (VLAN re-DHCP, boot server per mode, INFORM), boot log upload, <MAC>.cfg then
 * 000000000000.cfg, bootROM, application image (only if the server's version differs from the flash),
 * CONFIG_FILES left to right, -phone.cfg, -web.cfg, the language's dictionary, syslog lines (when configured),
 * licenses, directory, call list; then the app log and call list uploads, an optional user change
 * (-phone.cfg upload) and an optional DHCP renewal.
 */

import { formatLocation, parseBootServer } from './boot-server.ts';
import {
  type BootServerSetting,
  bootServerFromOptions,
  vlanFromOptions,
} from './boot-server-select.ts';
import {
  type BootEnv,
  BootSession,
  type PhoneSettings,
  StepFailed,
} from './boot-session.ts';
import { acquire, inform, renew } from './dhcp-client.ts';
import { simError } from './errors.ts';
import type { Flash } from './flash.ts';
import {
  applicationImagePath,
  inDir,
  type MasterConfig,
  parseMasterConfig,
} from './master-config.ts';
import { encodeOverrideFile, leftmostWins, type ParamMap } from './params.ts';
import type { PhoneReport } from './report.ts';
import { sendSyslog, syslogTarget } from './syslog-client.ts';

export async function bootOnce(
  p: PhoneSettings,
  flash: Flash,
  env: BootEnv,
): Promise<PhoneReport> {
  const s = new BootSession(p, flash, env);
  try {
    await dhcpAndBootServer(s);
    const master = await masterConfig(s);
    // bootROM (SoundPoint / SoundStation IP), then the application.
    if (p.id.model.hasBootrom)
      await s.image('bootrom', `${p.id.model.partNumber}.bootrom.ld`);
    if (master.appFilePath !== '')
      await s.image(
        'app',
        applicationImagePath(master.appFilePath, p.id.model.partNumber),
      );
    const { files, overrides } = await configuration(s, master);
    await dictionary(s);
    await syslog(s);
    const calls = await directoryAndLists(s, master);
    await uploads(s, master, files, overrides, calls);
    if (p.renew && env.mux && s.lease) {
      const started = performance.now();
      const r = await renew(env.mux, s.mac, s.lease, s.dhcpSettings());
      if (!r.ok) s.fail('renew', started, r.error);
      s.retries += r.ok ? r.value.retries : 0;
      s.record(
        'renew',
        'ok',
        started,
        0,
        r.ok ? r.value.value.address : undefined,
      );
    }
    flash.logDir = master.logDir;
    flash.cachedParams = s.effective;
    flash.boots++;
    return s.report(undefined);
  } catch (e) {
    if (e instanceof StepFailed) {
      if (s.steps[s.steps.length - 1]?.status !== 'failed')
        s.record(
          e.step,
          'failed',
          performance.now(),
          0,
          `${e.error.code}: ${e.error.message}`,
        );
      return s.report(e);
    }
    return s.report(
      new StepFailed(
        'internal',
        simError('SIM_PROTOCOL', (e as Error).stack ?? String(e)),
      ),
    );
  } finally {
    await s.closeClients();
  }
}

/** DHCP (again on the VLAN it names), the boot server from the lease, the flash or DHCPINFORM; then the boot log. */
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

/** The master configuration: named in the address, else <MAC>.cfg, else 000000000000.cfg. */
async function masterConfig(s: BootSession): Promise<MasterConfig> {
  const { mac, p } = s;
  const location = s.location!;
  let masterFile = location.masterFile
    ? await s.fetch('master', location.masterFile, 'Application', false)
    : await s.fetch('master-mac', `${mac}.cfg`, 'Application', true);
  if (!masterFile)
    masterFile = await s.fetch(
      'master',
      '000000000000.cfg',
      'Application',
      true,
    );
  if (!masterFile)
    s.fail(
      'master',
      performance.now(),
      simError(
        'SIM_NO_MASTER_CONFIG',
        `neither ${mac}.cfg nor 000000000000.cfg on ${formatLocation(location)}`,
      ),
    );
  const mc = parseMasterConfig(masterFile!.data.toString('utf8'), {
    mac,
    model: p.id.model.model,
    partNumber: p.id.model.partNumber,
  });
  if (!mc.ok) s.fail('master', performance.now(), mc.error);
  return (mc as { ok: true; value: MasterConfig }).value;
}

/** CONFIG_FILES left to right, then the phone's and the web UI's overrides; effective parameters, leftmost wins. */
async function configuration(
  s: BootSession,
  master: MasterConfig,
): Promise<{ files: ParamMap[]; overrides: [ParamMap, ParamMap] }> {
  const files: ParamMap[] = [];
  for (const [i, f] of master.configFiles.entries())
    files.push(
      s.params(
        `config:${f}`,
        (await s.fetch(`config:${i + 1}`, f, 'Application', false))!,
      ),
    );
  const phoneOverride = await s.fetch(
    'override-phone',
    inDir(master.overridesDir, `${s.mac}-phone.cfg`),
    'Application',
    true,
  );
  const webOverride = await s.fetch(
    'override-web',
    inDir(master.overridesDir, `${s.mac}-web.cfg`),
    'Application',
    true,
  );
  const overrides: [ParamMap, ParamMap] = [
    phoneOverride ? s.params('override-phone', phoneOverride) : new Map(),
    webOverride ? s.params('override-web', webOverride) : new Map(),
  ];
  s.effective = leftmostWins([...overrides, ...files]);
  return { files, overrides };
}

/** The language's dictionary, at the provisioning root, when lcl.ml.lang names one other than the built-in US English (seed 003). */
async function dictionary(s: BootSession): Promise<void> {
  const lang = s.effective.get('lcl.ml.lang');
  if (lang === undefined || lang === '' || lang === 'English_United_States')
    return;
  await s.fetch(
    'dictionary',
    `SoundPointIPLocalization/${lang}/SoundPointIP-dictionary.xml`,
    'Application',
    true,
  );
}

/** Log lines to the syslog server the parameters name, as a phone starts sending once configured. */
async function syslog(s: BootSession): Promise<void> {
  const target = syslogTarget(s.effective);
  if (!target) return;
  const started = performance.now();
  const lines = [
    `cfg  |Prov|Configured ${s.effective.size} parameters`,
    `app  |Boot|Application ${s.flash.appVersion} started`,
  ];
  try {
    const bytes = await sendSyslog(target, s.mac, lines, s.localAddress);
    s.record(
      'syslog',
      'ok',
      started,
      bytes,
      `${lines.length} lines to ${target.host}`,
    );
  } catch (e) {
    s.record(
      'syslog',
      'failed',
      started,
      0,
      `SIM_PROTOCOL: ${(e as Error).message} (not fatal)`,
    ); // a real phone carries on
  }
}

/** Licenses, the directory (the phone's own, else the shared one) and the call list; returns the call list. */
async function directoryAndLists(
  s: BootSession,
  master: MasterConfig,
): Promise<Buffer | undefined> {
  const { mac } = s;
  await s.fetch(
    'license-shared',
    inDir(master.licenseDir, '000000000000-license.cfg'),
    'Application',
    true,
  );
  await s.fetch(
    'license-phone',
    inDir(master.licenseDir, `${mac}-license.cfg`),
    'Application',
    true,
  );
  const dir = await s.fetch(
    'directory-phone',
    inDir(master.contactsDir, `${mac}-directory.xml`),
    'Application',
    true,
  );
  if (!dir)
    await s.fetch(
      'directory-shared',
      inDir(master.contactsDir, '000000000000-directory.xml'),
      'Application',
      true,
    );
  return (
    await s.fetch(
      'calls',
      inDir(master.callListsDir, `${mac}-calls.xml`),
      'Application',
      true,
    )
  )?.data;
}

/** Uploads: app log (HEAD first over HTTP, as observed), call list, and a user's change. */
async function uploads(
  s: BootSession,
  master: MasterConfig,
  files: ParamMap[],
  overrides: [ParamMap, ParamMap],
  calls: Buffer | undefined,
): Promise<void> {
  const { mac, p, flash } = s;
  const appLogRef = inDir(master.logDir, `${mac}-app.log`);
  const { client } = s.clientFor(appLogRef);
  if (client.size) await client.size(appLogRef, 'Application');
  await s.upload(
    'app-log',
    appLogRef,
    Buffer.from(
      `${new Date().toISOString()} app ${flash.appVersion} started on ${mac}; ${s.effective.size} parameters\n`,
    ),
    'Application',
  );
  const callList = calls?.length
    ? calls
    : Buffer.from(
        `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<PHONE_CALLS><call type="placed" dest="1001" start="${new Date().toISOString()}" duration="PT30S"/></PHONE_CALLS>\n`,
      );
  await s.upload(
    'calls-upload',
    inDir(master.callListsDir, `${mac}-calls.xml`),
    callList,
    'Application',
  );
  if (p.userChange && p.userChange.size > 0) {
    const merged = leftmostWins([p.userChange, overrides[0]]);
    await s.upload(
      'override-upload',
      inDir(master.overridesDir, `${mac}-phone.cfg`),
      Buffer.from(encodeOverrideFile(merged)),
      'Application',
    );
    s.effective = leftmostWins([merged, overrides[1], ...files]);
  }
}
