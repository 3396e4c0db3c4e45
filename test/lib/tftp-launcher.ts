/**
 * Starts the TFTP service from an appliance.yaml, for integration tests and the benchmark (run inside a lab
 * namespace with lab.spawn):
 *
 *   node test/lib/tftp-launcher.ts CONFIG.yaml [--lease IP=MAC]... [--bind ADDR] [--port N] [--quiet]
 *                                  [--retry INITIAL_MS,MAX_MS,RETRIES] [--workers N]
 *
 * stdout: {"ready":true,"port":N} once listening, then one {"event":{…}} line per transfer event (unless
 * --quiet); on SIGUSR2 a {"stats":{…},"maxRssKb":N} line. Logs (pino JSON) go to stderr. SIGTERM/SIGINT
 * print the stats line, close the service and exit. --lease stubs the DHCP lease table.
 *
 * Also exports createTftpLab(): the shared setup of the TFTP integration tests and the benchmark (appliance
 * folder with deterministic dummy images, the namespace lab, the launcher started in it, events collected).
 */
import { loadConfigFile } from '../../src/config/load.ts';
import { createTree, staticTreeRef } from '../../src/tree/tree.ts';
import { startTftpServer } from '../../src/tftp/server.ts';
import { createEventBus } from '../../src/shared/events.ts';
import { createLogger } from '../../src/shared/log.ts';
import { parseMac, type Mac } from '../../src/shared/mac.ts';
import type { LeaseLookup } from '../../src/shared/service.ts';
import { mkdtemp, mkdir, writeFile, rm, symlink } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createLab, canRunLab, missingCommands, waitFor, type Lab } from './netns.ts';
import type { TransferEvent } from '../../src/shared/events.ts';
import type { FileTree } from '../../src/tree/types.ts';
import type { TftpStats } from '../../src/tftp/stats.ts';

function fail(message: string): never {
  process.stderr.write(`tftp-launcher: ${message}\n`);
  process.exit(2);
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const configPath = args[0];
  if (configPath === undefined || configPath.startsWith('--')) fail('usage: tftp-launcher CONFIG.yaml [--lease IP=MAC]... [--bind ADDR] [--port N] [--quiet] [--retry MS,MAX,N]');
  const leases = new Map<string, Mac>();
  let bindAddress: string | undefined;
  let port: number | undefined;
  let quiet = false;
  let retry: { initialMs: number; maxMs: number; maxRetries: number } | undefined;
  let workers: number | undefined;
  for (let i = 1; i < args.length; i++) {
    const a = args[i];
    if (a === '--lease') {
      const [ip, mac] = (args[++i] ?? '').split('=');
      const m = parseMac(mac ?? '');
      if (!ip || !m.ok) fail(`bad --lease ${args[i]}`);
      leases.set(ip, m.value);
    } else if (a === '--bind') bindAddress = args[++i];
    else if (a === '--port') port = Number(args[++i]);
    else if (a === '--quiet') quiet = true;
    else if (a === '--workers') workers = Number(args[++i]);
    else if (a === '--retry') {
      const [initialMs, maxMs, maxRetries] = (args[++i] ?? '').split(',').map(Number);
      if (!initialMs || !maxMs || maxRetries === undefined || Number.isNaN(maxRetries)) fail(`bad --retry ${args[i]}`);
      retry = { initialMs, maxMs, maxRetries };
    } else fail(`unknown argument ${a}`);
  }

  const loaded = await loadConfigFile(configPath);
  if (!loaded.ok) fail(loaded.error.map((i) => `${i.file}:${i.line}:${i.col} ${i.code} ${i.message}`).join('\n'));
  const model = loaded.value.model;
  const tree = createTree(model);
  const bus = createEventBus();
  if (!quiet) bus.subscribe((e) => { process.stdout.write(`${JSON.stringify({ event: e })}\n`); });
  const leaseLookup: LeaseLookup = { macForAddress: (ip) => leases.get(ip) };
  const log = createLogger({ destination: 2, level: quiet ? 'warn' : 'info' });

  const service = await startTftpServer({
    model: { current: () => model },
    tree: staticTreeRef(tree),
    log,
    events: bus,
    leases: leaseLookup,
    bindAddress,
    port,
    retry,
    workers,
  });
  process.stdout.write(`${JSON.stringify({ ready: true, port: service.port })}\n`);

  const printStats = (): void => {
    process.stdout.write(`${JSON.stringify({ stats: service.stats(), maxRssKb: process.resourceUsage().maxRSS })}\n`);
  };
  process.on('SIGUSR2', printStats);
  const stop = (): void => {
    printStats();
    service.close().then(() => process.exit(0), () => process.exit(1));
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

if (import.meta.main) await main();

// ---------------------------------------------------------------------------------------------------------
// Lab setup shared by test/tftp-*.test.ts and bench/tftp/.

export const REPO = resolve(import.meta.dirname, '../..');
export const SUBNET = '10.91.5';
export const SRV = `${SUBNET}.1`;
/** The lab host "cli" is phone 0004f28062d6 and "other" is phone 0004f2000003 (stubbed leases). */
export const PHONE_MAC = '0004f28062d6';
export const OTHER_MAC = '0004f2000003';
export const IMAGE = 'ucs-5.9.7/3111-46162-001.sip.ld';
export const SMALL = 'ucs-5.9.7/small.bin';

/** Deterministic pseudo-random bytes (xorshift32). */
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

export interface TftpLab {
  readonly lab: Lab;
  readonly dir: string;
  readonly yaml: string;
  readonly imageSha: string;
  readonly imageSize: number;
  readonly overrideCap: number;
  readonly sentinel: string;
  readonly events: TransferEvent[];
  readonly pid: number;
  /** Wait for a transfer event matching pred. */
  event(pred: (e: TransferEvent) => boolean, what?: string): Promise<TransferEvent>;
  /** Current counters of the running server (asked over SIGUSR2). */
  stats(): Promise<TftpStats & { maxRssKb: number }>;
  /** Read a file through a tree built from the same yaml (what the server would serve). */
  treeRead(path: string): Promise<Buffer>;
  stop(): Promise<void>;
  destroy(): Promise<void>;
}

export interface TftpLabOptions {
  readonly imageSize: number;
  /** Real clients the test needs: outside CI a missing one skips the test; in CI it fails. */
  readonly cmds: readonly string[];
  readonly maxTransfers?: number;
  readonly maxBlksize?: number;
  readonly overrideCap?: number;
  /** Launcher --retry (fast by default so timeouts are seen within the test budget). */
  readonly retry?: string;
  readonly quiet?: boolean;
  readonly hosts?: readonly string[];
  /** Extra node flags for the launcher process (e.g. --cpu-prof for the benchmark). */
  readonly nodeArgs?: readonly string[];
  /** Launcher --workers (default: the service's default). */
  readonly workers?: number;
}

export async function createTftpLab(o: TftpLabOptions): Promise<TftpLab | { skip: string }> {
  const missing = canRunLab() ? await missingCommands(['ip', ...o.cmds]) : ['root'];
  if (missing.length > 0) {
    const why = `needs ${missing.join(', ')} (apt-get install them; tests run as root)`;
    if (process.env.CI) throw new Error(`TFTP integration test ${why}`);
    return { skip: why };
  }
  const dir = await mkdtemp(join(tmpdir(), 'tftp-it-'));
  const overrideCap = o.overrideCap ?? 64 * 1024;
  let lab: Lab | undefined;
  try {
    await mkdir(join(dir, 'tftpboot', 'ucs-5.9.7'), { recursive: true });
    await mkdir(join(dir, 'out'), { recursive: true });
    const image = dummyBytes(o.imageSize, 0x7f7f);
    await writeFile(join(dir, 'tftpboot', IMAGE), image);
    await writeFile(join(dir, 'tftpboot', SMALL), dummyBytes(3000, 7));
    const sentinel = `SENTINEL-${process.pid}-outside-the-tree`;
    await writeFile(join(dir, 'secret.txt'), `${sentinel}\n`);
    await symlink(join(dir, 'secret.txt'), join(dir, 'tftpboot', 'escape.txt'));
    await symlink('/etc', join(dir, 'tftpboot', 'etc-link'));
    // the two symlinks test/fixtures/traversal-corpus.txt names
    await symlink('/etc/passwd', join(dir, 'tftpboot', 'escape.cfg'));
    await symlink('/etc', join(dir, 'tftpboot', 'evil-link'));
    const yaml = join(dir, 'appliance.yaml');
    await writeFile(yaml, `appliance:
  address: ${SRV}
  interface: eth0
  tftpboot: ./tftpboot
  dataDir: ./data
  services:
    tftp: { enabled: true, port: 69, maxBlksize: ${o.maxBlksize ?? 1468}, maxTransfers: ${o.maxTransfers ?? 500} }
  uploads: { overrides: ${overrideCap} }
firmware:
  ucs597: { version: 5.9.7.4477, folder: ucs-5.9.7 }
defaults: { firmware: ucs597 }
sites:
  hq:
    subnet: ${SUBNET}.0/24
    pool: ${SUBNET}.100-${SUBNET}.199
    bootServer: { protocol: tftp, path: "" }
    parameters: { reg.1.address: "1001@pbx.lab" }
`);
    const loaded = await loadConfigFile(yaml);
    if (!loaded.ok) throw new Error(`fixture yaml: ${JSON.stringify(loaded.error)}`);
    const tree: FileTree = createTree(loaded.value.model);

    lab = await createLab({ prefix: 'tftp', hosts: [...(o.hosts ?? ['srv', 'cli', 'other'])], subnet: SUBNET });
    const theLab = lab;
    const child = lab.spawn('srv', [process.execPath, ...(o.nodeArgs ?? []), join(REPO, 'test/lib/tftp-launcher.ts'), yaml,
      '--lease', `${SUBNET}.2=${PHONE_MAC}`, '--lease', `${SUBNET}.3=${OTHER_MAC}`, '--retry', o.retry ?? '200,800,3',
      ...(o.quiet ? ['--quiet'] : []), ...(o.workers !== undefined ? ['--workers', String(o.workers)] : [])], { cwd: REPO });
    const events: TransferEvent[] = [];
    const statsLines: (TftpStats & { maxRssKb: number })[] = [];
    let ready = false;
    let buf = '';
    let err = '';
    child.stdout!.on('data', (d: Buffer) => {
      buf += d.toString();
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        try {
          const j = JSON.parse(line) as { ready?: boolean; event?: TransferEvent; stats?: TftpStats; maxRssKb?: number };
          if (j.ready) ready = true;
          if (j.event) events.push(j.event);
          if (j.stats) statsLines.push({ ...j.stats, maxRssKb: j.maxRssKb ?? 0 });
        } catch { /* not ours */ }
      }
    });
    child.stderr!.on('data', (d: Buffer) => { err = (err + d.toString()).slice(-20000); });
    await waitFor(() => ready || child.exitCode !== null, 15_000, 'tftp launcher');
    if (!ready) throw new Error(`tftp launcher exited: ${err}`);
    const pid = child.pid!;
    const stop = async (): Promise<void> => {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await waitFor(() => child.exitCode !== null, 5_000, 'launcher exit').catch(() => child.kill('SIGKILL'));
      }
    };
    return {
      lab: theLab, dir, yaml, imageSha: sha256(image), imageSize: image.length, overrideCap, sentinel, events, pid,
      event: (pred, what = 'transfer event') => waitFor(() => events.find(pred), 8_000, `${what} (stderr: ${err.slice(-500)})`),
      async stats() {
        const n = statsLines.length;
        process.kill(pid, 'SIGUSR2');
        await waitFor(() => statsLines.length > n, 5_000, 'stats line');
        return statsLines[statsLines.length - 1]!;
      },
      async treeRead(path) {
        const r = await tree.read(path);
        if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message}`);
        return r.value;
      },
      stop,
      async destroy() {
        await stop();
        await theLab.destroy();
        await rm(dir, { recursive: true, force: true });
      },
    };
  } catch (e) {
    await lab?.destroy();
    await rm(dir, { recursive: true, force: true });
    throw e;
  }
}
