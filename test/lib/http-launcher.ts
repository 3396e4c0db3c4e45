/**
 * Starts the HTTP/HTTPS service from an appliance.yaml, for integration tests and the benchmark (run inside a
 * lab namespace with lab.spawn):
 *
 *   node test/lib/http-launcher.ts CONFIG.yaml [--lease IP=MAC]... [--bind ADDR] [--quiet]
 *
 * stdout: one line {"ready":true,"httpPort":N,"httpsPort":N} once listening, then one {"event":{…}} line per
 * transfer event (unless --quiet). Logs (pino JSON) go to stderr. SIGTERM/SIGINT close the service and exit.
 * --lease stubs the DHCP lease table (the peer at IP holds MAC), so uploads can be MAC-checked.
 */
import { loadConfigFile } from '../../src/config/load.ts';
import { createTree, staticTreeRef } from '../../src/tree/tree.ts';
import { startHttpServers } from '../../src/http/server.ts';
import { createEventBus } from '../../src/shared/events.ts';
import { createLogger } from '../../src/shared/log.ts';
import { parseMac, type Mac } from '../../src/shared/mac.ts';
import type { LeaseLookup } from '../../src/shared/service.ts';

function fail(message: string): never {
  process.stderr.write(`http-launcher: ${message}\n`);
  process.exit(2);
}

const args = process.argv.slice(2);
const configPath = args[0];
if (configPath === undefined || configPath.startsWith('--')) fail('usage: http-launcher CONFIG.yaml [--lease IP=MAC]... [--bind ADDR] [--quiet]');
const leases = new Map<string, Mac>();
let bindAddress: string | undefined;
let quiet = false;
for (let i = 1; i < args.length; i++) {
  const a = args[i];
  if (a === '--lease') {
    const [ip, mac] = (args[++i] ?? '').split('=');
    const m = parseMac(mac ?? '');
    if (!ip || !m.ok) fail(`bad --lease ${args[i]}`);
    leases.set(ip, m.value);
  } else if (a === '--bind') bindAddress = args[++i];
  else if (a === '--quiet') quiet = true;
  else fail(`unknown argument ${a}`);
}

const loaded = await loadConfigFile(configPath);
if (!loaded.ok) fail(loaded.error.map((i) => `${i.file}:${i.line}:${i.col} ${i.code} ${i.message}`).join('\n'));
const model = loaded.value.model;
const tree = createTree(model);
const bus = createEventBus();
if (!quiet) bus.subscribe((e) => { process.stdout.write(`${JSON.stringify({ event: e })}\n`); });
const leaseLookup: LeaseLookup = { macForAddress: (ip) => leases.get(ip) };
const log = createLogger({ destination: 2, level: quiet ? 'warn' : 'info' });

const service = await startHttpServers({
  model: { current: () => model },
  tree: staticTreeRef(tree),
  log,
  events: bus,
  leases: leaseLookup,
  bindAddress,
});
process.stdout.write(`${JSON.stringify({ ready: true, httpPort: service.httpPort, httpsPort: service.httpsPort })}\n`);

const stop = (): void => {
  service.close().then(() => process.exit(0), () => process.exit(1));
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
