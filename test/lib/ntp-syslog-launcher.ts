/**
 * Starts the SNTP server or the syslog receiver from an appliance.yaml, for the integration tests and the
 * fuzz benchmark (run inside a lab namespace with lab.spawn):
 *
 *   node test/lib/ntp-syslog-launcher.ts ntp|syslog CONFIG.yaml [--lease IP=MAC]... [--bind ADDR] [--port N] [--quiet]
 *        [--rate BURST,PER_S]   (the per-source budget; the fuzz benchmark raises it so the codecs see every datagram)
 *
 * stdout: one {"ready":true,"port":N,…} line once listening, one {"event":{…}} line per emitted event (unless
 * --quiet), and a {"stats":{…},"maxRssKb":N} line on SIGUSR2 and before exiting. Logs (pino JSON) go to
 * stderr. SIGTERM/SIGINT close the service and exit. --lease stubs the lease table (the peer at IP holds MAC).
 */
import type { ServiceDeps } from '../../src/runtime/deps.ts';
import { createEventBus, type EventSink } from '../../src/runtime/events.ts';
import { createLogger } from '../../src/shared/log.ts';
import { type Mac, parseMac } from '../../src/shared/mac.ts';
import { createTree, staticTreeRef } from '../../src/tree/tree.ts';
import { onLauncherSignals } from './launcher-signals.ts';
import { loadModel } from './load-model.ts';

function fail(message: string): never {
  process.stderr.write(`ntp-syslog-launcher: ${message}\n`);
  process.exit(2);
}

const [which, configPath, ...rest] = process.argv.slice(2);
if ((which !== 'ntp' && which !== 'syslog') || configPath === undefined)
  fail(
    'usage: ntp-syslog-launcher ntp|syslog CONFIG.yaml [--lease IP=MAC]... [--bind ADDR] [--port N] [--quiet] [--rate BURST,PER_S]',
  );
const leases = new Map<string, Mac>();
let bindAddress: string | undefined;
let port: number | undefined;
let quiet = false;
let rate: { burst: number; perSecond: number } | undefined;
for (let i = 0; i < rest.length; i++) {
  const a = rest[i];
  if (a === '--lease') {
    const [ip, mac] = (rest[++i] ?? '').split('=');
    const m = parseMac(mac ?? '');
    if (!ip || !m.ok) fail(`bad --lease ${rest[i]}`);
    leases.set(ip, m.value);
  } else if (a === '--bind') bindAddress = rest[++i];
  else if (a === '--port') port = Number(rest[++i]);
  else if (a === '--quiet') quiet = true;
  else if (a === '--rate') {
    const [burst, perSecond] = (rest[++i] ?? '').split(',').map(Number);
    if (!burst || !perSecond) fail(`bad --rate ${rest[i]}`);
    rate = { burst, perSecond };
  } else fail(`unknown argument ${a}`);
}

const model = await loadModel(configPath).catch((e: Error) => fail(e.message));
const bus = createEventBus();
// Every event the service emits (SyslogEvent for syslog), one JSON line each.
if (!quiet)
  bus.subscribe((e) => {
    process.stdout.write(`${JSON.stringify({ event: e })}\n`);
  });
const deps: ServiceDeps = {
  model: { current: () => model },
  tree: staticTreeRef(createTree(model)),
  log: createLogger({
    destination: 2,
    level: process.env.LOG_LEVEL ?? (quiet ? 'warn' : 'info'),
  }),
  events: bus as EventSink,
  leases: { macForAddress: (ip) => leases.get(ip) },
  bindAddress,
};

let service: {
  readonly port: number;
  stats(): unknown;
  close(): Promise<void>;
};
if (which === 'ntp') {
  const { startNtpServer } = await import('../../src/ntp/server.ts');
  service = await startNtpServer({
    ...deps,
    ...(port === undefined ? {} : { port }),
    ...(rate ? { rateLimit: { ...rate, maxClients: 4096 } } : {}),
  });
} else {
  const { startSyslogServer } = await import('../../src/syslog/server.ts');
  service = await startSyslogServer({
    ...deps,
    ...(port === undefined ? {} : { port }),
    ...(rate ? { rateLimit: { ...rate, maxSenders: 4096 } } : {}),
  });
}
process.stdout.write(
  `${JSON.stringify({ ready: true, port: service.port })}\n`,
);
const extra = (): Record<string, unknown> => {
  const s = service as {
    recentUnattributed?: () => unknown;
    unattributedBySender?: () => unknown;
  };
  return s.recentUnattributed
    ? {
        recentUnattributed: s.recentUnattributed(),
        unattributedBySender: s.unattributedBySender?.(),
      }
    : {};
};
const printStats = (): void => {
  process.stdout.write(
    `${JSON.stringify({ stats: service.stats(), ...extra(), maxRssKb: process.resourceUsage().maxRSS })}\n`,
  );
};
onLauncherSignals(service, printStats);
