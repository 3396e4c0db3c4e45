/**
 * The lab setup shared by the HTTP, TFTP and FTP integration tests (and their benchmarks): whether the lab can
 * run here, an appliance folder (appliance.yaml, tftpboot with a deterministic dummy image, a sentinel file
 * outside the tree and symlinks leading to it), a namespace lab, service-launcher.ts started in its "srv" host
 * with stubbed leases, and the launcher's stdout read back (ready line, transfer events, stats lines).
 *
 * Lab hosts: srv .1 (the service), cli .2 (phone PHONE_MAC by its stubbed lease), other .3 (phone OTHER_MAC).
 */

import type { ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  mkdir,
  mkdtemp,
  readFile,
  rm,
  symlink,
  writeFile,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { checksum } from '../../phonesim/src/transfer.ts';
import type { TransferEvent } from '../../src/runtime/events.ts';
import { readLauncher } from './launcher-output.ts';
import { canRunLab, createLab, type Lab, missingCommands } from './netns.ts';

export const REPO = resolve(import.meta.dirname, '../..');
export const LAUNCHER = join(REPO, 'test/lib/service-launcher.ts');
/** The lab host "cli" (.2) is phone 0004f28062d6 and "other" (.3) is phone 0004f2000003 (stubbed leases). */
export const PHONE_MAC = '0004f28062d6';
export const OTHER_MAC = '0004f2000003';
export const IMAGE = 'ucs-5.9.7/3111-46162-001.sip.ld';

export type Protocol = 'http' | 'tftp' | 'ftp';

/** Deterministic pseudo-random bytes (xorshift32), fast enough for 60 MB. */
export function dummyBytes(size: number, seed: number): Buffer {
  const buf = Buffer.alloc(size);
  let x = seed >>> 0 || 1;
  const words = Math.floor(size / 4);
  for (let i = 0; i < words; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    buf.writeUInt32LE(x, i * 4);
  }
  for (let i = words * 4; i < size; i++) buf[i] = i & 0xff;
  return buf;
}

export const sha256 = (b: Buffer): string =>
  createHash('sha256').update(b).digest('hex');

/** Why the lab cannot run here (root and the given commands): outside CI a test skips with it; in CI it fails. */
export async function labSkip(
  component: string,
  cmds: readonly string[],
): Promise<string | false> {
  const missing = canRunLab() ? await missingCommands([...cmds]) : ['root'];
  if (missing.length === 0) return false;
  const why = `needs ${missing.join(', ')} (apt-get install them; tests run as root)`;
  if (process.env.CI) throw new Error(`${component} integration test ${why}`);
  return why;
}

/** The traversal corpus shared by every protocol (one attack path per line). */
export async function traversalCorpus(): Promise<string[]> {
  return (
    await readFile(join(REPO, 'test/fixtures/traversal-corpus.txt'), 'utf8')
  )
    .split('\n')
    .filter((l) => l.length > 0 && !l.startsWith('#'));
}

/**
 * appliance.yaml of a one-service lab: the appliance at <subnet>.1, firmware ucs-5.9.7 as the default, and
 * site "hq" on the lab subnet with reg.1.address set.
 */
export function labApplianceYaml(o: {
  readonly subnet: string;
  /** Lines under appliance.services (indented four spaces, each ending in a newline). */
  readonly services: string;
  readonly overrideCap: number;
  /** Site hq's boot server, e.g. '{ protocol: tftp, path: "" }'. */
  readonly bootServer: string;
  /** Top-level sections between defaults and sites (each line ending in a newline). */
  readonly top?: string;
  /** Further lines of site hq (indented four spaces). */
  readonly hq?: string;
  /** Further sites (indented two spaces). */
  readonly sites?: string;
}): string {
  return `appliance:
  address: ${o.subnet}.1
  interface: eth0
  tftpboot: ./tftpboot
  dataDir: ./data
  services:
${o.services}  uploads: { overrides: ${o.overrideCap} }
firmware:
  ucs597: { version: 5.9.7.4477, folder: ucs-5.9.7 }
defaults: { firmware: ucs597 }
${o.top ?? ''}sites:
  hq:
    subnet: ${o.subnet}.0/24
    pool: ${o.subnet}.100-${o.subnet}.199
    bootServer: ${o.bootServer}
    parameters: { reg.1.address: "1001@pbx.lab" }
${o.hq ?? ''}${o.sites ?? ''}`;
}

export interface ApplianceDir {
  readonly dir: string;
  /** Path of appliance.yaml. */
  readonly yaml: string;
  readonly imageSha: string;
  /** The image's CRC-32 as phonesim reports it (phonesim/src/transfer.ts). */
  readonly imageCrc32: string;
  readonly imageSize: number;
  /** The content of secret.txt, a file beside tftpboot that no client may ever read. */
  readonly sentinel: string;
}

/** Where site hq keeps an accepted upload of this kind (overrides, contacts, …) in an appliance folder's data. */
export const hqUpload = (appDir: string, kind: string, ...rest: string[]) =>
  join(appDir, 'data', 'uploads', 'hq', kind, ...rest);

export interface ApplianceDirSpec {
  /** mkdtemp prefix, e.g. "http-it-". */
  readonly tmpPrefix: string;
  /** appliance.yaml, written into the folder. */
  readonly yaml: string;
  /** The dummy image tftpboot/IMAGE: its size and its xorshift seed. */
  readonly imageSize: number;
  readonly seed: number;
  /** Symlinks inside tftpboot: name → target (an absolute path, or relative to the folder, e.g. "secret.txt"). */
  readonly links?: Readonly<Record<string, string>>;
  /** Further files inside tftpboot. */
  readonly files?: Readonly<Record<string, Buffer>>;
  /** Further empty folders inside the folder. */
  readonly dirs?: readonly string[];
}

export async function makeApplianceDir(
  spec: ApplianceDirSpec,
): Promise<ApplianceDir> {
  const dir = await mkdtemp(join(tmpdir(), spec.tmpPrefix));
  try {
    const boot = join(dir, 'tftpboot');
    const image = dummyBytes(spec.imageSize, spec.seed);
    for (const [rel, data] of [
      [IMAGE, image],
      ...Object.entries(spec.files ?? {}),
    ] as const) {
      await mkdir(dirname(join(boot, rel)), { recursive: true });
      await writeFile(join(boot, rel), data);
    }
    for (const d of spec.dirs ?? [])
      await mkdir(join(dir, d), { recursive: true });
    const sentinel = `SENTINEL-${process.pid}-${Date.now()}-outside-the-tree`;
    await writeFile(join(dir, 'secret.txt'), `${sentinel}\n`);
    for (const [name, target] of Object.entries(spec.links ?? {}))
      await symlink(
        target.startsWith('/') ? target : join(dir, target),
        join(boot, name),
      );
    const yaml = join(dir, 'appliance.yaml');
    await writeFile(yaml, spec.yaml);
    return {
      dir,
      yaml,
      imageSha: sha256(image),
      imageCrc32: checksum(image),
      imageSize: image.length,
      sentinel,
    };
  } catch (e) {
    await rm(dir, { recursive: true, force: true });
    throw e;
  }
}

export async function removeDir(app: ApplianceDir | undefined): Promise<void> {
  if (app) await rm(app.dir, { recursive: true, force: true });
}

export interface LaunchOptions {
  readonly protocol: Protocol;
  readonly yaml: string;
  /** The lab subnet: its .2 and .3 get stubbed leases as PHONE_MAC and OTHER_MAC. */
  readonly subnet: string;
  /** Further launcher arguments (--port, --quiet, --retry …). */
  readonly args?: readonly string[];
  /** Node flags for the launcher process (e.g. --cpu-prof for a benchmark). */
  readonly nodeArgs?: readonly string[];
  /** How long event() waits (default 5 s). */
  readonly eventTimeoutMs?: number;
}

export interface Launched {
  readonly child: ChildProcess;
  readonly pid: number;
  /** The launcher's ready line (ports; for ftp, signalListeners). */
  readonly ready: Readonly<Record<string, unknown>>;
  readonly events: TransferEvent[];
  /** The tail of the launcher's stderr (its logs). */
  stderr(): string;
  /** Wait for a transfer event matching pred (events arrive on the launcher's stdout). */
  event(
    pred: (e: TransferEvent) => boolean,
    what?: string,
  ): Promise<TransferEvent>;
  /** Ask for a stats line (SIGUSR2; tftp) and return it. */
  stats(): Promise<Record<string, unknown>>;
  stop(): Promise<void>;
}

/** Start service-launcher.ts inside the lab's srv host; resolves once it listens. */
export async function launchService(
  lab: Lab,
  o: LaunchOptions,
): Promise<Launched> {
  const child = lab.spawn(
    'srv',
    [
      process.execPath,
      ...(o.nodeArgs ?? []),
      LAUNCHER,
      o.protocol,
      o.yaml,
      '--lease',
      `${o.subnet}.2=${PHONE_MAC}`,
      '--lease',
      `${o.subnet}.3=${OTHER_MAC}`,
      ...(o.args ?? []),
    ],
    { cwd: REPO },
  );
  const out = await readLauncher<TransferEvent>(child, o.protocol);
  return {
    child,
    pid: child.pid!,
    ready: out.ready,
    events: out.events,
    stderr: out.stderr,
    event: (pred, what = 'transfer event') =>
      out.event(pred, what, o.eventTimeoutMs ?? 5_000),
    stats: out.stats,
    stop: out.stop,
  };
}

export interface ServiceLab extends Launched {
  readonly lab: Lab;
  /** Stop the service and delete the lab (not the appliance folder). */
  destroy(): Promise<void>;
}

/** A lab (prefix, subnet; hosts srv, cli, other unless told) with the service started in srv. */
export async function startServiceLab(
  o: LaunchOptions & {
    readonly prefix: string;
    readonly hosts?: readonly string[];
  },
): Promise<ServiceLab> {
  const lab = await createLab({
    prefix: o.prefix,
    hosts: [...(o.hosts ?? ['srv', 'cli', 'other'])],
    subnet: o.subnet,
  });
  try {
    const launched = await launchService(lab, o);
    return {
      ...launched,
      lab,
      async destroy() {
        try {
          await launched.stop();
        } finally {
          await lab.destroy();
        }
      },
    };
  } catch (e) {
    await lab.destroy();
    throw e;
  }
}
