/**
 * Starts one file service (HTTP/HTTPS, TFTP or FTP) from an appliance.yaml, for integration tests and the
 * benchmarks (run inside a lab namespace with lab.spawn; test/lib/service-lab.ts does that):
 *
 *   node test/lib/service-launcher.ts http|tftp|ftp CONFIG.yaml [--lease IP=MAC]... [--bind ADDR] [--quiet]
 *        [--port N]                                  (tftp, ftp)
 *        [--retry INITIAL_MS,MAX_MS,RETRIES] [--engine native|js]  (tftp)
 *
 * stdout: one {"ready":true,…} line once listening (http: httpPort, httpsPort; tftp: port; ftp: port and
 * signalListeners, the process signal handlers ftp-srv would have installed), then one {"event":{…}} line per
 * transfer event (unless --quiet). tftp also prints a {"stats":{…},"maxRssKb":N} line on SIGUSR2 and before
 * exiting. Logs (pino JSON) go to stderr, at warn with --quiet, else info (<PROTO>_LOG_LEVEL overrides).
 * SIGTERM/SIGINT close the service and exit. --lease stubs the DHCP lease table (the peer at IP holds MAC),
 * so uploads can be MAC-checked. Each protocol's server module is imported only when asked for, so a TFTP
 * launcher's memory is the TFTP service's alone.
 */
import type { ServiceDeps } from '../../src/runtime/deps.ts';
import { createEventBus } from '../../src/runtime/events.ts';
import { createLogger } from '../../src/shared/log.ts';
import { type Mac, parseMac } from '../../src/shared/mac.ts';
import { createRefusalLog } from '../../src/tree/refusals.ts';
import { createTree, staticTreeRef } from '../../src/tree/tree.ts';
import { onLauncherSignals } from './launcher-signals.ts';
import { loadModel } from './load-model.ts';

const PROTOCOLS = ['http', 'tftp', 'ftp'] as const;
type Protocol = (typeof PROTOCOLS)[number];
const USAGE =
  'usage: service-launcher http|tftp|ftp CONFIG.yaml [--lease IP=MAC]... [--bind ADDR] [--port N] [--quiet] [--retry MS,MAX,N] [--engine native|js]';

function fail(message: string): never {
  process.stderr.write(`service-launcher: ${message}\n`);
  process.exit(2);
}

interface Options {
  readonly leases: Map<string, Mac>;
  bindAddress?: string;
  port?: number;
  quiet: boolean;
  retry?: { initialMs: number; maxMs: number; maxRetries: number };
  engine?: 'native' | 'js';
}

/** Which options each protocol takes beyond --lease, --bind and --quiet. */
const EXTRA: Record<Protocol, readonly string[]> = {
  http: [],
  tftp: ['--port', '--retry', '--engine'],
  ftp: ['--port'],
};

function parseOptions(protocol: Protocol, args: readonly string[]): Options {
  const o: Options = { leases: new Map(), quiet: false };
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (
      a.startsWith('--') &&
      !['--lease', '--bind', '--quiet'].includes(a) &&
      !EXTRA[protocol].includes(a)
    )
      fail(`unknown argument ${a} for ${protocol}`);
    if (a === '--lease') {
      const [ip, mac] = (args[++i] ?? '').split('=');
      const m = parseMac(mac ?? '');
      if (!ip || !m.ok) fail(`bad --lease ${args[i]}`);
      o.leases.set(ip, m.value);
    } else if (a === '--bind') o.bindAddress = args[++i];
    else if (a === '--port') o.port = Number(args[++i]);
    else if (a === '--quiet') o.quiet = true;
    else if (a === '--engine') o.engine = args[++i] === 'js' ? 'js' : 'native';
    else if (a === '--retry') {
      const [initialMs, maxMs, maxRetries] = (args[++i] ?? '')
        .split(',')
        .map(Number);
      if (
        !initialMs ||
        !maxMs ||
        maxRetries === undefined ||
        Number.isNaN(maxRetries)
      )
        fail(`bad --retry ${args[i]}`);
      o.retry = { initialMs, maxMs, maxRetries };
    } else fail(`unknown argument ${a}`);
  }
  return o;
}

interface Started {
  /** The protocol's fields of the ready line. */
  readonly ready: Record<string, unknown>;
  close(): Promise<void>;
  /** A line printed on SIGUSR2 and before exiting (tftp). */
  statsLine?(): Record<string, unknown>;
}

const START: Record<
  Protocol,
  (deps: ServiceDeps, o: Options) => Promise<Started>
> = {
  async http(deps) {
    const { startHttpServers } = await import('../../src/http/server.ts');
    const s = await startHttpServers(deps);
    return {
      ready: { httpPort: s.httpPort, httpsPort: s.httpsPort },
      close: () => s.close(),
    };
  },
  async tftp(deps, o) {
    const { startTftpServer } = await import('../../src/tftp/server.ts');
    const s = await startTftpServer({
      ...deps,
      port: o.port,
      retry: o.retry,
      engine: o.engine,
    });
    return {
      ready: { port: s.port },
      close: () => s.close(),
      statsLine: () => ({
        stats: s.stats(),
        maxRssKb: process.resourceUsage().maxRSS,
      }),
    };
  },
  async ftp(deps, o) {
    const { startFtpServer } = await import('../../src/ftp/server.ts');
    const s = await startFtpServer({
      ...deps,
      ...(o.port === undefined ? {} : { port: o.port }),
    });
    // ftp-srv must not have installed signal handlers of its own (main.ts owns them): reported for the tests.
    const signalListeners = ['SIGTERM', 'SIGINT', 'SIGQUIT'].reduce(
      (n, sig) => n + process.listenerCount(sig),
      0,
    );
    return { ready: { port: s.port, signalListeners }, close: () => s.close() };
  },
};

async function main(): Promise<void> {
  const [protocol, configPath, ...rest] = process.argv.slice(2);
  if (
    !PROTOCOLS.includes(protocol as Protocol) ||
    configPath === undefined ||
    configPath.startsWith('--')
  )
    fail(USAGE);
  const proto = protocol as Protocol;
  const o = parseOptions(proto, rest);

  const model = await loadModel(configPath).catch((e: Error) =>
    fail(e.message),
  );
  const bus = createEventBus();
  if (!o.quiet)
    bus.subscribe((e) => {
      process.stdout.write(`${JSON.stringify({ event: e })}\n`);
    });
  const level =
    process.env[`${proto.toUpperCase()}_LOG_LEVEL`] ??
    (o.quiet ? 'warn' : 'info');
  const log = createLogger({ destination: 2, level });
  // As main.ts does: uploads refused for an address bound to no phone are logged once per host a minute.
  const refusals = createRefusalLog({
    log: (r) =>
      log.warn(
        { code: 'TREE_MAC_MISMATCH', reason: 'unknown-host', ...r },
        'upload refused: unknown host',
      ),
  });
  const service = await START[proto](
    {
      model: { current: () => model },
      tree: staticTreeRef(createTree(model, { refusals })),
      log,
      events: bus,
      leases: { macForAddress: (ip) => o.leases.get(ip) },
      bindAddress: o.bindAddress,
    },
    o,
  );
  process.stdout.write(
    `${JSON.stringify({ ready: true, ...service.ready })}\n`,
  );

  const printStats = (): void => {
    if (service.statsLine)
      process.stdout.write(`${JSON.stringify(service.statsLine())}\n`);
  };
  onLauncherSignals(service, printStats);
}

await main();
