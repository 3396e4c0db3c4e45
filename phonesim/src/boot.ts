/**
 * One simulated phone's boot, in the order observed from a VVX 500 (facts §5.2) with the SoundPoint bootROM
 * step of [AG31-A]: DHCP (VLAN re-DHCP, boot server per mode, INFORM), boot log upload, <MAC>.cfg then
 * 000000000000.cfg, bootROM, application image (only if the server's version differs from the flash),
 * CONFIG_FILES left to right, -phone.cfg, -web.cfg, licenses, directory, call list; then the app log and call
 * list uploads, an optional user change (-phone.cfg upload) and an optional DHCP renewal.
 */
import { createHash } from 'node:crypto';
import { type SimError, simError } from './errors.ts';
import { acquire, inform, renew, type DhcpSettings, type Lease } from './dhcp-client.ts';
import type { DhcpMux } from './dhcp-mux.ts';
import { bootServerFromOptions, vlanFromOptions, type BootServerSetting } from './boot-server-select.ts';
import { parseBootServer, formatLocation, type BootLocation, type ServerDefaults } from './boot-server.ts';
import { parseMasterConfig, applicationImagePath, inDir, type MasterConfig } from './master-config.ts';
import { parseParams, leftmostWins, encodeOverrideFile, type ParamMap } from './params.ts';
import { type Flash, versionFileFor, parseVersionFile } from './flash.ts';
import { type PhoneIdentity, vendorClass, versionStrings, parameterRequestList, userAgent } from './identity.ts';
import type { FileClient, Fetched, UserAgentType, ClientContext } from './transfer.ts';
import type { PhoneReport, StepReport } from './report.ts';
import { createTftpClient, type TftpOptions } from './tftp-client.ts';
import { createFtpClient } from './ftp-client.ts';
import { createHttpClient } from './http-client.ts';

export interface PhoneSettings {
  readonly id: PhoneIdentity;
  readonly option60: 'binary' | 'ascii';
  readonly bootServer: BootServerSetting;
  /** Static boot server (mode static, or stored in flash). */
  readonly staticServer: string | undefined;
  readonly serverDefaults: ServerDefaults;
  readonly vlan: 'off' | 'fixed' | number;
  /** Parameters a user changes on the keypad: uploaded as <MAC>-phone.cfg after boot. */
  readonly userChange: ParamMap | undefined;
  readonly renew: boolean;
  /** 'best-effort': a refused upload is recorded but does not fail the boot (a real phone carries on). */
  readonly uploads: 'required' | 'best-effort';
  /** Versions in the factory flash (application, bootROM/updater). */
  readonly flashVersions: { readonly app: string; readonly boot: string };
}

export interface BootEnv {
  readonly mux: DhcpMux | undefined;
  readonly dhcp: Omit<DhcpSettings, 'vendorClass' | 'parameterRequestList'>;
  readonly tftp: TftpOptions;
  readonly timeoutMs: number;
  readonly insecure: boolean;
  /** Puts the leased address on the interface so transfers come from it; returns the address to bind. */
  readonly assignAddress: ((address: string) => Promise<string | undefined>) | undefined;
  /** Boot server when DHCP is not simulated (--no-dhcp). */
  readonly fixedServer: string | undefined;
}

class StepFailed {
  readonly step: string;
  readonly error: SimError;
  constructor(step: string, error: SimError) { this.step = step; this.error = error; }
}

export async function bootOnce(p: PhoneSettings, flash: Flash, env: BootEnv): Promise<PhoneReport> {
  const t0 = performance.now();
  const steps: StepReport[] = [];
  const mac = p.id.mac;
  let bytesDown = 0;
  let bytesUp = 0;
  let retries = 0;
  let lease: Lease | undefined;
  let vlan: number | undefined;
  let location: BootLocation | undefined;
  const upgraded = { bootrom: false, app: false };
  let effective = new Map<string, string>();
  const clients = new Map<string, FileClient>();
  let localAddress: string | undefined;

  const record = (step: string, status: StepReport['status'], started: number, bytes = 0, detail?: string, sha256?: string): void => {
    steps.push({ step, status, ms: Math.round(performance.now() - started), bytes, ...(detail !== undefined ? { detail } : {}), ...(sha256 !== undefined ? { sha256 } : {}) });
  };
  const fail = (step: string, started: number, e: SimError): never => {
    record(step, 'failed', started, 0, `${e.code}: ${e.message}`);
    throw new StepFailed(step, e);
  };
  const dhcpSettings = (): DhcpSettings => ({
    ...env.dhcp,
    vendorClass: vendorClass(p.id, p.option60, versionStrings(p.id.model, flash.appVersion, flash.bootVersion)),
    parameterRequestList: parameterRequestList(p.id, p.vlan, p.bootServer.customOption),
  });
  const ua = (type: UserAgentType): string => userAgent(p.id, type === 'Updater' ? flash.bootVersion : flash.appVersion, type);

  /** A client for the boot server, or for a file named by a URL (APP_FILE_PATH / CONFIG_FILES may be URLs). */
  const clientFor = (ref: string): { client: FileClient; path: string } => {
    let loc = location!;
    let path = ref;
    if (/^[a-z]+:\/\//i.test(ref)) {
      const slash = ref.lastIndexOf('/');
      const parsed = parseBootServer(ref.slice(0, slash), p.serverDefaults);
      if (!parsed.ok) throw new StepFailed('url', parsed.error);
      loc = parsed.value;
      path = ref.slice(slash + 1);
    }
    const key = `${loc.protocol}://${loc.user ?? ''}@${loc.host}:${loc.port}/${loc.base}`;
    let c = clients.get(key);
    if (!c) {
      const ctx: ClientContext = { localAddress, userAgent: ua, timeoutMs: env.timeoutMs };
      c = loc.protocol === 'tftp' ? createTftpClient(loc, ctx, env.tftp) : loc.protocol === 'ftp' ? createFtpClient(loc, ctx) : createHttpClient(loc, ctx, { insecure: env.insecure });
      clients.set(key, c);
    }
    return { client: c, path };
  };

  /** GET; a missing file is `undefined` when optional, a failed step otherwise. */
  const fetch = async (step: string, ref: string, type: UserAgentType, optional: boolean, keep = true): Promise<Fetched | undefined> => {
    const started = performance.now();
    const { client, path } = clientFor(ref);
    const r = await client.get(path, type, keep);
    if (!r.ok) {
      if (optional && r.error.code === 'SIM_NOT_FOUND') { record(step, 'absent', started, 0, path); return undefined; }
      return fail(step, started, r.error.code === 'SIM_NOT_FOUND' && step.startsWith('config') ? simError('SIM_CONFIG_FILE_MISSING', r.error.message) : r.error);
    }
    bytesDown += r.value.bytes;
    record(step, 'ok', started, r.value.bytes, path, r.value.sha256);
    return r.value;
  };
  const upload = async (step: string, ref: string, data: Buffer, type: UserAgentType): Promise<void> => {
    const started = performance.now();
    const { client, path } = clientFor(ref);
    const r = await client.put(path, data, type);
    if (!r.ok) {
      const e = r.error.code === 'SIM_DENIED' || r.error.code === 'SIM_NOT_FOUND' || r.error.code === 'SIM_PROTOCOL' ? simError('SIM_UPLOAD_REJECTED', r.error.message) : r.error;
      if (p.uploads === 'best-effort') { record(step, 'failed', started, 0, `${e.code}: ${e.message} (not fatal)`); return; }
      fail(step, started, e);
    }
    bytesUp += data.length;
    record(step, 'ok', started, data.length, path, createHash('sha256').update(data).digest('hex'));
  };
  const params = (step: string, f: Fetched): ParamMap => {
    const r = parseParams(f.data.toString('utf8'));
    if (!r.ok) throw new StepFailed(step, r.error);
    return r.value;
  };

  /** Image step: .ver file first, else download and compare hashes (see flash.ts). */
  const image = async (kind: 'app' | 'bootrom', ref: string): Promise<void> => {
    const step = kind === 'app' ? 'application' : 'bootrom';
    const current = kind === 'app' ? flash.appVersion : flash.bootVersion;
    const ver = await fetch(`${step}-version`, versionFileFor(ref, kind), 'Application', true);
    const serverVersion = ver ? parseVersionFile(ver.data) : undefined;
    if (serverVersion !== undefined && serverVersion === current) { record(step, 'skipped', performance.now(), 0, `flash already has ${current}`); return; }
    const img = await fetch(step, ref, kind === 'app' ? 'Application' : 'Updater', kind === 'bootrom', false);
    if (!img) return; // no bootROM offered
    const installed = kind === 'app' ? flash.appSha256 : flash.bootromSha256;
    if (serverVersion === undefined && installed === img.sha256) return;
    if (kind === 'app') { flash.appSha256 = img.sha256; flash.appVersion = serverVersion ?? flash.appVersion; upgraded.app = true; }
    else { flash.bootromSha256 = img.sha256; flash.bootVersion = serverVersion ?? flash.bootVersion; upgraded.bootrom = true; }
  };

  try {
    // 1. DHCP
    let server: string | undefined = env.fixedServer;
    if (env.mux) {
      const mux = env.mux;
      let started = performance.now();
      let a = await acquire(mux, mac, dhcpSettings());
      if (!a.ok) fail('dhcp', started, a.error);
      retries += a.ok ? a.value.retries : 0;
      lease = a.ok ? a.value.value : undefined;
      record('dhcp', 'ok', started, 0, lease!.address);
      vlan = vlanFromOptions(lease!.options, p.vlan);
      if (vlan !== undefined) {
        // Now on the new VLAN: DHCP again there (the simulator stays on the same segment).
        started = performance.now();
        a = await acquire(mux, mac, dhcpSettings());
        if (!a.ok) fail('dhcp-vlan', started, a.error);
        retries += a.ok ? a.value.retries : 0;
        lease = a.ok ? a.value.value : lease;
        record('dhcp-vlan', 'ok', started, 0, `VLAN ${vlan}: ${lease!.address}`);
      }
      if (env.assignAddress) localAddress = await env.assignAddress(lease!.address);
      server = p.bootServer.mode === 'static' ? p.staticServer : bootServerFromOptions(lease!.options, p.bootServer);
      if (server === undefined && p.bootServer.mode !== 'static') server = flash.bootServer ?? p.staticServer;
      if (server === undefined) {
        started = performance.now();
        const informMode: BootServerSetting = { ...p.bootServer, mode: p.bootServer.mode === 'static' ? 'custom+66' : p.bootServer.mode };
        const inf = await inform(mux, mac, lease!.address, dhcpSettings(), (o) => bootServerFromOptions(o, informMode) !== undefined);
        if (!inf.ok) fail('inform', started, simError('SIM_NO_BOOT_SERVER', `no boot server in the lease and ${inf.error.message}`));
        retries += inf.ok ? inf.value.retries : 0;
        server = inf.ok ? bootServerFromOptions(inf.value.value, informMode) : undefined;
        if (server === undefined) fail('inform', started, simError('SIM_NO_BOOT_SERVER', 'the DHCPINFORM answer names no boot server'));
        record('inform', 'ok', started, 0, server);
      }
    }
    const started = performance.now();
    if (server === undefined) fail('boot-server', started, simError('SIM_NO_BOOT_SERVER', 'no boot server'));
    const loc = parseBootServer(server!, p.serverDefaults);
    if (!loc.ok) fail('boot-server', started, loc.error);
    location = loc.ok ? loc.value : undefined;

    // 2. Boot log (Updater), into the log directory remembered from the last boot.
    const bootLog = Buffer.from(`${new Date().toISOString()} boot ${flash.boots + 1} of ${mac} (${p.id.model.model}) updater ${flash.bootVersion}\nDHCP ${lease?.address ?? '-'} boot server ${formatLocation(location!)}\n`);
    await upload('boot-log', inDir(flash.logDir, `${mac}-boot.log`), bootLog, 'Updater');

    // 3. Master configuration: named in the address, else <MAC>.cfg, else 000000000000.cfg.
    let masterFile = location!.masterFile ? await fetch('master', location!.masterFile, 'Application', false) : await fetch('master-mac', `${mac}.cfg`, 'Application', true);
    if (!masterFile) masterFile = await fetch('master', '000000000000.cfg', 'Application', true);
    if (!masterFile) fail('master', performance.now(), simError('SIM_NO_MASTER_CONFIG', `neither ${mac}.cfg nor 000000000000.cfg on ${formatLocation(location!)}`));
    const mc = parseMasterConfig(masterFile!.data.toString('utf8'), { mac, model: p.id.model.model, partNumber: p.id.model.partNumber });
    if (!mc.ok) fail('master', performance.now(), mc.error);
    const master: MasterConfig = (mc as { ok: true; value: MasterConfig }).value;

    // 4. bootROM (SoundPoint / SoundStation IP), then the application.
    if (p.id.model.hasBootrom) await image('bootrom', `${p.id.model.partNumber}.bootrom.ld`);
    if (master.appFilePath !== '') await image('app', applicationImagePath(master.appFilePath, p.id.model.partNumber));

    // 5. Configuration files, left to right; overrides; effective parameters (leftmost wins).
    const files: ParamMap[] = [];
    for (const [i, f] of master.configFiles.entries()) files.push(params(`config:${f}`, (await fetch(`config:${i + 1}`, f, 'Application', false))!));
    const phoneOverride = await fetch('override-phone', inDir(master.overridesDir, `${mac}-phone.cfg`), 'Application', true);
    const webOverride = await fetch('override-web', inDir(master.overridesDir, `${mac}-web.cfg`), 'Application', true);
    const overrides = [phoneOverride ? params('override-phone', phoneOverride) : new Map(), webOverride ? params('override-web', webOverride) : new Map()];
    effective = leftmostWins([...overrides, ...files]);

    // 6. Licenses, directory, call list.
    await fetch('license-shared', inDir(master.licenseDir, '000000000000-license.cfg'), 'Application', true);
    await fetch('license-phone', inDir(master.licenseDir, `${mac}-license.cfg`), 'Application', true);
    const dir = await fetch('directory-phone', inDir(master.contactsDir, `${mac}-directory.xml`), 'Application', true);
    if (!dir) await fetch('directory-shared', inDir(master.contactsDir, '000000000000-directory.xml'), 'Application', true);
    const calls = await fetch('calls', inDir(master.callListsDir, `${mac}-calls.xml`), 'Application', true);

    // 7. Uploads: app log (HEAD first over HTTP, as observed), call list, and a user's change.
    const appLogRef = inDir(master.logDir, `${mac}-app.log`);
    const { client } = clientFor(appLogRef);
    if (client.size) await client.size(appLogRef, 'Application');
    await upload('app-log', appLogRef, Buffer.from(`${new Date().toISOString()} app ${flash.appVersion} started on ${mac}; ${effective.size} parameters\n`), 'Application');
    const callList = calls?.data.length ? calls.data : Buffer.from(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<PHONE_CALLS><call type="placed" dest="1001" start="${new Date().toISOString()}" duration="PT30S"/></PHONE_CALLS>\n`);
    await upload('calls-upload', inDir(master.callListsDir, `${mac}-calls.xml`), callList, 'Application');
    if (p.userChange && p.userChange.size > 0) {
      const merged = leftmostWins([p.userChange, overrides[0]!]);
      await upload('override-upload', inDir(master.overridesDir, `${mac}-phone.cfg`), Buffer.from(encodeOverrideFile(merged)), 'Application');
      effective = leftmostWins([merged, overrides[1]!, ...files]);
    }

    // 8. Renewal.
    if (p.renew && env.mux && lease) {
      const s = performance.now();
      const r = await renew(env.mux, mac, lease, dhcpSettings());
      if (!r.ok) fail('renew', s, r.error);
      retries += r.ok ? r.value.retries : 0;
      record('renew', 'ok', s, 0, r.ok ? r.value.value.address : undefined);
    }
    flash.logDir = master.logDir;
    flash.cachedParams = effective;
    flash.boots++;
    return finish(undefined);
  } catch (e) {
    if (e instanceof StepFailed) {
      if (steps[steps.length - 1]?.status !== 'failed') record(e.step, 'failed', performance.now(), 0, `${e.error.code}: ${e.error.message}`);
      return finish(e);
    }
    return finish(new StepFailed('internal', simError('SIM_PROTOCOL', (e as Error).stack ?? String(e))));
  } finally {
    for (const c of clients.values()) await c.close();
  }

  function finish(failure: StepFailed | undefined): PhoneReport {
    for (const c of clients.values()) retries += c.retries();
    return {
      mac,
      model: p.id.model.model,
      ok: failure === undefined,
      failedStep: failure?.step,
      error: failure ? { code: failure.error.code, message: failure.error.message } : undefined,
      address: lease?.address,
      vlan,
      bootServer: location ? formatLocation(location) : undefined,
      totalMs: Math.round(performance.now() - t0),
      bytesDown,
      bytesUp,
      retries,
      attempts: 1,
      appVersion: flash.appVersion,
      upgraded,
      steps,
      parameters: Object.fromEntries([...effective].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))),
    };
  }
}
