/**
 * The TFTP integration tests' and benchmark's lab (prefix "tftp", subnet 10.91.5): an appliance folder with
 * deterministic dummy images and symlinks out of the tree, the TFTP service started in the lab by
 * service-launcher.ts (test/lib/service-lab.ts), its events and counters, and a tree built from the same yaml.
 */
import type { TransferEvent } from '../../src/runtime/events.ts';
import type { TftpStats } from '../../src/tftp/stats.ts';
import { createTree } from '../../src/tree/tree.ts';
import type { FileTree } from '../../src/tree/types.ts';
import { loadModel } from './load-model.ts';
import type { Lab } from './netns.ts';
import {
  type ApplianceDir,
  dummyBytes,
  labApplianceYaml,
  labSkip,
  makeApplianceDir,
  removeDir,
  startServiceLab,
} from './service-lab.ts';

export {
  dummyBytes,
  IMAGE,
  OTHER_MAC,
  PHONE_MAC,
  REPO,
  sha256,
} from './service-lab.ts';

export const SUBNET = '10.91.5';
export const SRV = `${SUBNET}.1`;
export const SMALL = 'ucs-5.9.7/small.bin';

/** tftp-hpa's command line for one binary get or put against the lab's server (get REMOTE LOCAL, put LOCAL REMOTE). */
export const hpaArgv = (
  cmd: 'get' | 'put',
  from: string,
  to: string,
): string[] => ['tftp', '-m', 'binary', SRV, '-c', cmd, from, to];

export interface TftpLab {
  readonly lab: Lab;
  readonly dir: string;
  readonly yaml: string;
  readonly imageSha: string;
  readonly imageCrc32: string;
  readonly imageSize: number;
  readonly overrideCap: number;
  readonly sentinel: string;
  readonly events: TransferEvent[];
  readonly pid: number;
  /** The tail of the service's logs (pino JSON lines on the launcher's stderr). */
  stderr(): string;
  /** Wait for a transfer event matching pred. */
  event(
    pred: (e: TransferEvent) => boolean,
    what?: string,
  ): Promise<TransferEvent>;
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
  /** services.tftp.maxTransfersPerHost (left out: the service's default); a benchmark's clients share one address. */
  readonly maxTransfersPerHost?: number;
  readonly maxBlksize?: number;
  readonly overrideCap?: number;
  /** Launcher --retry (fast by default so timeouts are seen within the test budget). */
  readonly retry?: string;
  readonly quiet?: boolean;
  readonly hosts?: readonly string[];
  /** Extra node flags for the launcher process (e.g. --cpu-prof for the benchmark). */
  readonly nodeArgs?: readonly string[];
  /** Launcher --engine (default: the service's default, native). */
  readonly engine?: 'native' | 'js';
}

function tftpYaml(o: TftpLabOptions, overrideCap: number): string {
  return labApplianceYaml({
    subnet: SUBNET,
    overrideCap,
    bootServer: '{ protocol: tftp, path: "" }',
    services: `    tftp: { enabled: true, port: 69, maxBlksize: ${o.maxBlksize ?? 1468}, maxTransfers: ${o.maxTransfers ?? 500}${o.maxTransfersPerHost !== undefined ? `, maxTransfersPerHost: ${o.maxTransfersPerHost}` : ''} }\n`,
  });
}

export async function createTftpLab(
  o: TftpLabOptions,
): Promise<TftpLab | { skip: string }> {
  const skip = await labSkip('TFTP', ['ip', ...o.cmds]);
  if (skip) return { skip };
  const overrideCap = o.overrideCap ?? 64 * 1024;
  let app: ApplianceDir | undefined;
  try {
    app = await makeApplianceDir({
      tmpPrefix: 'tftp-it-',
      yaml: tftpYaml(o, overrideCap),
      imageSize: o.imageSize,
      seed: 0x7f7f,
      files: { [SMALL]: dummyBytes(3000, 7) },
      dirs: ['out'],
      // escape.txt and etc-link, and the two symlinks test/fixtures/traversal-corpus.txt names
      links: {
        'escape.txt': 'secret.txt',
        'etc-link': '/etc',
        'escape.cfg': '/etc/passwd',
        'evil-link': '/etc',
      },
    });
    const tree: FileTree = createTree(await loadModel(app.yaml));
    const run = await startServiceLab({
      protocol: 'tftp',
      prefix: 'tftp',
      subnet: SUBNET,
      hosts: o.hosts,
      yaml: app.yaml,
      nodeArgs: o.nodeArgs,
      eventTimeoutMs: 8_000,
      args: [
        '--retry',
        o.retry ?? '200,800,3',
        ...(o.quiet ? ['--quiet'] : []),
        ...(o.engine !== undefined ? ['--engine', o.engine] : []),
      ],
    });
    const theApp = app;
    return {
      lab: run.lab,
      dir: app.dir,
      yaml: app.yaml,
      imageSha: app.imageSha,
      imageCrc32: app.imageCrc32,
      imageSize: app.imageSize,
      overrideCap,
      sentinel: app.sentinel,
      events: run.events,
      pid: run.pid,
      stderr: run.stderr,
      event: run.event,
      stats: async () => {
        const line = (await run.stats()) as {
          stats: TftpStats;
          maxRssKb?: number;
        };
        return { ...line.stats, maxRssKb: line.maxRssKb ?? 0 };
      },
      async treeRead(path) {
        const r = await tree.read(path);
        if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message}`);
        return r.value;
      },
      stop: run.stop,
      async destroy() {
        try {
          await run.destroy();
        } finally {
          await removeDir(theApp);
        }
      },
    };
  } catch (e) {
    await removeDir(app);
    throw e;
  }
}
