/**
 * Shared setup for the HTTP integration tests: an appliance folder (appliance.yaml, tftpboot with
 * deterministic dummy images, test certificates, a sentinel file outside the tree), a namespace lab
 * (prefix "http", subnet 10.91.7), the service started there by http-launcher.ts, its transfer events
 * collected, and a raw-socket client that runs inside a lab host (for what curl would normalise or refuse
 * to send).
 */
import { mkdtemp, mkdir, writeFile, rm, symlink, readFile } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { execFile, type ChildProcess } from 'node:child_process';
import { promisify } from 'node:util';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createLab, canRunLab, missingCommands, waitFor, type Lab } from './netns.ts';
import type { TransferEvent } from '../../src/shared/events.ts';

const execFileP = promisify(execFile);
export const REPO = resolve(import.meta.dirname, '../..');
export const SUBNET = '10.91.7';
export const SRV = `${SUBNET}.1`;
/** The lab client is the phone 0004f28062d6 (by its stubbed lease); "other" is phone 0004f2000003. */
export const PHONE_MAC = '0004f28062d6';
export const OTHER_MAC = '0004f2000003';
export const IMAGE = 'ucs-5.9.7/3111-46162-001.sip.ld';
export const OVERRIDE_CAP = 1024 * 1024;

/** Deterministic pseudo-random bytes (xorshift32), fast enough for 60 MB. */
export function dummyBytes(size: number, seed: number): Buffer {
  const buf = Buffer.alloc(size);
  let x = seed >>> 0 || 1;
  const words = Math.floor(size / 4);
  for (let i = 0; i < words; i++) {
    x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0;
    buf.writeUInt32LE(x, i * 4);
  }
  for (let i = words * 4; i < size; i++) buf[i] = i & 0xff;
  return buf;
}

export const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

export interface Skip { readonly skip: string | false }

/** Decide whether the lab can run: outside CI a missing root or peer skips; in CI it fails. */
export async function labAvailability(cmds: string[]): Promise<Skip> {
  const missing = canRunLab() ? await missingCommands(cmds) : ['root'];
  if (missing.length === 0) return { skip: false };
  const why = `needs ${missing.join(', ')} (apt-get install them; tests run as root)`;
  if (process.env.CI) throw new Error(`HTTP integration test ${why}`);
  return { skip: why };
}

export interface ApplianceDir {
  readonly dir: string;
  readonly yaml: string;
  readonly imageSha: string;
  readonly imageSize: number;
  readonly sentinel: string;
}

export function applianceYaml(opts: { https: boolean; clientCa: boolean; httpPort?: number; httpsPort?: number }): string {
  const httpsBlock = opts.https
    ? `    https: { enabled: true, port: ${opts.httpsPort ?? 443}, cert: ./tls/server.crt, key: ./tls/server.key${opts.clientCa ? ', clientCa: ./tls/client-ca.crt' : ''} }\n`
    : '    https: { enabled: false }\n';
  return `appliance:
  address: ${SRV}
  interface: eth0
  tftpboot: ./tftpboot
  dataDir: ./data
  services:
    http: { enabled: true, port: ${opts.httpPort ?? 80} }
${httpsBlock}  uploads: { overrides: ${OVERRIDE_CAP} }
firmware:
  ucs597: { version: 5.9.7.4477, folder: ucs-5.9.7 }
defaults: { firmware: ucs597 }
parameters:
  tcpIpApp.sntp.address: ${SRV}
sites:
  hq:
    subnet: ${SUBNET}.0/24
    pool: ${SUBNET}.100-${SUBNET}.199
    bootServer: { protocol: http }
    parameters: { reg.1.address: "1001@pbx.lab" }
  branch:
    subnet: 10.91.77.0/24
    pool: 10.91.77.100-10.91.77.199
    bootServer: { protocol: http }
    accounts: [ { user: branch, password: s3cret-branch } ]
`;
}

/** Build the appliance folder. imageSize: the big dummy image (60 MB for the byte-exact test). */
export async function makeApplianceDir(opts: { imageSize: number; https: boolean; clientCa: boolean }): Promise<ApplianceDir> {
  const dir = await mkdtemp(join(tmpdir(), 'http-it-'));
  await mkdir(join(dir, 'tftpboot', 'ucs-5.9.7'), { recursive: true });
  const image = dummyBytes(opts.imageSize, 0x5eed);
  await writeFile(join(dir, 'tftpboot', IMAGE), image);
  const sentinel = `SENTINEL-${Date.now()}-outside-the-tree`;
  await writeFile(join(dir, 'secret.txt'), `${sentinel}\n`);
  // symlinks inside tftpboot leading out of it (the corpus names escape.cfg and evil-link): the tree must refuse them
  await symlink(join(dir, 'secret.txt'), join(dir, 'tftpboot', 'secret-link.txt'));
  await symlink('/etc/passwd', join(dir, 'tftpboot', 'escape.cfg'));
  await symlink('/etc', join(dir, 'tftpboot', 'evil-link'));
  if (opts.https) await execFileP('sh', [join(REPO, 'test/fixtures/tls/make-certs.sh'), join(dir, 'tls'), SRV]);
  const yaml = join(dir, 'appliance.yaml');
  await writeFile(yaml, applianceYaml(opts));
  if (opts.https) await writeFile(join(dir, 'mtls.yaml'), applianceYaml({ https: true, clientCa: true }));
  return { dir, yaml, imageSha: sha256(image), imageSize: image.length, sentinel };
}

export interface Launched {
  readonly events: TransferEvent[];
  readonly child: ChildProcess;
  stderr(): string;
  /** Wait for an event matching pred (events arrive on the launcher's stdout). */
  event(pred: (e: TransferEvent) => boolean, what?: string): Promise<TransferEvent>;
  stop(): Promise<void>;
}

export interface Running extends Launched { readonly lab: Lab }

/** Start http-launcher.ts with a yaml inside the lab's srv host; resolves once it listens. */
export async function launch(lab: Lab, yaml: string): Promise<Launched> {
  const events: TransferEvent[] = [];
  let err = '';
  const child = lab.spawn('srv', [process.execPath, join(REPO, 'test/lib/http-launcher.ts'), yaml,
    '--lease', `${SUBNET}.2=${PHONE_MAC}`, '--lease', `${SUBNET}.3=${OTHER_MAC}`], { cwd: REPO });
  let ready = false;
  let buf = '';
  child.stdout!.on('data', (d: Buffer) => {
    buf += d.toString();
    let nl: number;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      try {
        const j = JSON.parse(line) as { ready?: boolean; event?: TransferEvent };
        if (j.ready) ready = true;
        if (j.event) events.push(j.event);
      } catch { /* not ours */ }
    }
  });
  child.stderr!.on('data', (d: Buffer) => { err = (err + d.toString()).slice(-20000); });
  await waitFor(() => ready || child.exitCode !== null, 15_000, 'http launcher');
  if (!ready) throw new Error(`launcher exited: ${err}`);
  return {
    events, child,
    stderr: () => err,
    event: (pred, what = 'transfer event') => waitFor(() => events.find(pred), 5_000, what),
    async stop() {
      if (child.exitCode === null && child.pid) {
        child.kill('SIGTERM');
        await waitFor(() => child.exitCode !== null, 5_000, 'launcher exit').catch(() => child.kill('SIGKILL'));
      }
    },
  };
}

/** Start a lab with hosts srv, cli, other and the HTTP service in srv. */
export async function startLab(app: ApplianceDir): Promise<Running> {
  const lab = await createLab({ prefix: 'http', hosts: ['srv', 'cli', 'other'], subnet: SUBNET });
  try {
    return { lab, ...(await launch(lab, app.yaml)) };
  } catch (e) {
    await lab.destroy();
    throw e;
  }
}

/** The traversal corpus shared by every protocol (one attack path per line). */
export async function traversalCorpus(): Promise<string[]> {
  return (await readFile(join(REPO, 'test/fixtures/traversal-corpus.txt'), 'utf8')).split('\n').filter((l) => l.length > 0 && !l.startsWith('#'));
}

export async function removeDir(app: ApplianceDir | undefined): Promise<void> {
  if (app) await rm(app.dir, { recursive: true, force: true });
}

/** A raw HTTP exchange run by node inside a lab host: bytes out exactly as given, response back. */
export interface RawRequest {
  readonly data: string; // base64 of the bytes to send
  /** Close (destroy) the socket right after sending, without waiting for a reply. */
  readonly abort?: boolean;
}
export interface RawResponse { readonly status: number; readonly head: string; readonly body: string }

const RAW_CLIENT = `
const net = require('node:net');
const [host, port] = process.argv.slice(1);
let input = '';
process.stdin.on('data', (d) => { input += d; });
process.stdin.on('end', async () => {
  const out = [];
  for (const r of JSON.parse(input)) {
    out.push(await new Promise((resolve) => {
      const s = net.connect(Number(port), host);
      const chunks = [];
      const done = () => {
        const all = Buffer.concat(chunks).toString('latin1');
        const i = all.indexOf('\\r\\n\\r\\n');
        const head = i < 0 ? all : all.slice(0, i);
        const m = /^HTTP\\/1\\.[01] (\\d{3})/.exec(head);
        resolve({ status: m ? Number(m[1]) : 0, head, body: i < 0 ? '' : all.slice(i + 4, i + 4 + 65536) });
      };
      s.setTimeout(4000, () => s.destroy());
      s.on('data', (d) => chunks.push(d));
      s.on('close', done);
      s.on('error', () => {});
      s.write(Buffer.from(r.data, 'base64'), () => { if (r.abort) setTimeout(() => s.destroy(), 50); });
    }));
  }
  process.stdout.write(JSON.stringify(out));
});
`;

export async function rawExchange(lab: Lab, host: string, port: number, requests: RawRequest[]): Promise<RawResponse[]> {
  const r = await lab.exec(host, [process.execPath, '-e', RAW_CLIENT, SRV, String(port)], { input: JSON.stringify(requests), timeoutMs: 60_000 });
  return JSON.parse(r.stdout) as RawResponse[];
}

export const b64 = (s: string | Buffer): string => Buffer.from(s).toString('base64');
