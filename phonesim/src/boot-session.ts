/**
 * The state of one simulated boot and the step helpers every stage uses: one client per boot server (the
 * master file may name files by URL), GET and PUT recorded as steps, parameter files parsed, image steps
 * compared with the flash, and the report a boot ends with.
 */
import {
  type BootLocation,
  formatLocation,
  parseBootServer,
  type ServerDefaults,
} from './boot-server.ts';
import type { BootServerSetting } from './boot-server-select.ts';
import type { DhcpSettings, Lease } from './dhcp-client.ts';
import type { DhcpMux } from './dhcp-mux.ts';
import { type SimError, simError } from './errors.ts';
import type { Flash } from './flash.ts';
import { createFtpClient } from './ftp-client.ts';
import { createHttpClient } from './http-client.ts';
import {
  type PhoneIdentity,
  parameterRequestList,
  userAgent,
  vendorClass,
  versionStrings,
} from './identity.ts';
import { type ParamMap, parseParams } from './params.ts';
import { addCounts, type PhoneReport, type StepReport } from './report.ts';
import { createTftpClient, type TftpOptions } from './tftp-client.ts';
import {
  type ClientContext,
  checksum,
  type Fetched,
  type FileClient,
  type UserAgentType,
} from './transfer.ts';

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
  readonly assignAddress:
    | ((address: string) => Promise<string | undefined>)
    | undefined;
  /** Boot server when DHCP is not simulated (--no-dhcp). */
  readonly fixedServer: string | undefined;
}

export class StepFailed {
  readonly step: string;
  readonly error: SimError;
  constructor(step: string, error: SimError) {
    this.step = step;
    this.error = error;
  }
}

export class BootSession {
  readonly p: PhoneSettings;
  readonly flash: Flash;
  readonly env: BootEnv;
  readonly mac: string;
  readonly steps: StepReport[] = [];
  readonly upgraded = { bootrom: false, app: false };
  readonly #t0 = performance.now();
  readonly #clients = new Map<string, FileClient>();
  bytesDown = 0;
  bytesUp = 0;
  retries = 0;
  lease: Lease | undefined;
  vlan: number | undefined;
  location: BootLocation | undefined;
  localAddress: string | undefined;
  effective = new Map<string, string>();

  constructor(p: PhoneSettings, flash: Flash, env: BootEnv) {
    this.p = p;
    this.flash = flash;
    this.env = env;
    this.mac = p.id.mac;
  }

  record(
    step: string,
    status: StepReport['status'],
    started: number,
    bytes = 0,
    detail?: string,
    crc32?: string,
  ): void {
    this.steps.push({
      step,
      status,
      ms: Math.round(performance.now() - started),
      bytes,
      ...(detail !== undefined ? { detail } : {}),
      ...(crc32 !== undefined ? { crc32 } : {}),
    });
  }

  fail(step: string, started: number, e: SimError): never {
    this.record(step, 'failed', started, 0, `${e.code}: ${e.message}`);
    throw new StepFailed(step, e);
  }

  dhcpSettings(): DhcpSettings {
    const { p, flash } = this;
    return {
      ...this.env.dhcp,
      vendorClass: vendorClass(
        p.id,
        p.option60,
        versionStrings(p.id.model, flash.appVersion, flash.bootVersion),
      ),
      parameterRequestList: parameterRequestList(
        p.id,
        p.vlan,
        p.bootServer.customOption,
      ),
    };
  }

  /** A client for the boot server, or for a file named by a URL (APP_FILE_PATH / CONFIG_FILES may be URLs). */
  clientFor(ref: string): { client: FileClient; path: string } {
    let loc = this.location!;
    let path = ref;
    if (/^[a-z]+:\/\//i.test(ref)) {
      const slash = ref.lastIndexOf('/');
      const parsed = parseBootServer(
        ref.slice(0, slash),
        this.p.serverDefaults,
      );
      if (!parsed.ok) throw new StepFailed('url', parsed.error);
      loc = parsed.value;
      path = ref.slice(slash + 1);
    }
    const key = `${loc.protocol}://${loc.user ?? ''}@${loc.host}:${loc.port}/${loc.base}`;
    let c = this.#clients.get(key);
    if (!c) {
      const ua = (type: UserAgentType): string =>
        userAgent(
          this.p.id,
          type === 'Updater' ? this.flash.bootVersion : this.flash.appVersion,
          type,
        );
      const ctx: ClientContext = {
        localAddress: this.localAddress,
        userAgent: ua,
        timeoutMs: this.env.timeoutMs,
      };
      c =
        loc.protocol === 'tftp'
          ? createTftpClient(loc, ctx, this.env.tftp)
          : loc.protocol === 'ftp'
            ? createFtpClient(loc, ctx)
            : createHttpClient(loc, ctx, { insecure: this.env.insecure });
      this.#clients.set(key, c);
    }
    return { client: c, path };
  }

  /** GET; a missing file is `undefined` when optional, a failed step otherwise. */
  async fetch(
    step: string,
    ref: string,
    type: UserAgentType,
    optional: boolean,
    keep = true,
  ): Promise<Fetched | undefined> {
    const started = performance.now();
    const { client, path } = this.clientFor(ref);
    const r = await client.get(path, type, keep);
    if (!r.ok) {
      if (optional && r.error.code === 'SIM_NOT_FOUND') {
        this.record(step, 'absent', started, 0, path);
        return undefined;
      }
      return this.fail(
        step,
        started,
        r.error.code === 'SIM_NOT_FOUND' && step.startsWith('config')
          ? simError('SIM_CONFIG_FILE_MISSING', r.error.message)
          : r.error,
      );
    }
    this.bytesDown += r.value.bytes;
    this.record(step, 'ok', started, r.value.bytes, path, r.value.crc32);
    return r.value;
  }

  async upload(
    step: string,
    ref: string,
    data: Buffer,
    type: UserAgentType,
  ): Promise<void> {
    const started = performance.now();
    const { client, path } = this.clientFor(ref);
    const r = await client.put(path, data, type);
    if (!r.ok) {
      const e =
        r.error.code === 'SIM_DENIED' ||
        r.error.code === 'SIM_NOT_FOUND' ||
        r.error.code === 'SIM_PROTOCOL'
          ? simError('SIM_UPLOAD_REJECTED', r.error.message)
          : r.error;
      if (this.p.uploads === 'best-effort') {
        this.record(
          step,
          'failed',
          started,
          0,
          `${e.code}: ${e.message} (not fatal)`,
        );
        return;
      }
      this.fail(step, started, e);
    }
    this.bytesUp += data.length;
    this.record(step, 'ok', started, data.length, path, checksum(data));
  }

  params(step: string, f: Fetched): ParamMap {
    const r = parseParams(f.data.toString('utf8'));
    if (!r.ok) throw new StepFailed(step, r.error);
    return r.value;
  }

  async closeClients(): Promise<void> {
    for (const c of this.#clients.values()) await c.close();
  }

  report(failure: StepFailed | undefined): PhoneReport {
    // Until here `retries` holds the DHCP retransmissions (boot.ts); the clients add theirs.
    const retriesBy: Record<string, number> = { dhcp: this.retries };
    for (const c of this.#clients.values()) {
      this.retries += c.retries();
      addCounts(retriesBy, c.retriesBy?.() ?? { reconnect: c.retries() });
    }
    return {
      mac: this.mac,
      model: this.p.id.model.model,
      ok: failure === undefined,
      failedStep: failure?.step,
      error: failure
        ? { code: failure.error.code, message: failure.error.message }
        : undefined,
      address: this.lease?.address,
      vlan: this.vlan,
      bootServer: this.location ? formatLocation(this.location) : undefined,
      totalMs: Math.round(performance.now() - this.#t0),
      bytesDown: this.bytesDown,
      bytesUp: this.bytesUp,
      retries: this.retries,
      retriesBy,
      rebootCauses: [],
      attempts: 1,
      appVersion: this.flash.appVersion,
      upgraded: this.upgraded,
      steps: this.steps,
      parameters: Object.fromEntries(
        [...this.effective].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
      ),
    };
  }
}
