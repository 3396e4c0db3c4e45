/**
 * The appliance as `appliance run` composes it, plus the admin server, for the operations tests (run inside a
 * test's network namespace): node lab-appliance.ts CONFIG [--sip-t1 MS] [--sip-t2 MS] [--refetch-timeout MS].
 * Prints "admin ready PORT" once listening; SIGTERM closes everything.
 */
import { parseArgs } from 'node:util';
import { mkdir } from 'node:fs/promises';
import { loadConfigFile } from '../../config/load.ts';
import { liveConfig } from '../../config/reload.ts';
import { createLogger } from '../../shared/log.ts';
import { createEventBus } from '../../shared/events.ts';
import { noLeases, type Service, type ServiceDeps } from '../../shared/service.ts';
import { startDhcpServer, type DhcpServer } from '../../dhcp/server.ts';
import { startTftpServer } from '../../tftp/server.ts';
import { startHttpServers } from '../../http/server.ts';
import { startAdminServer } from '../server.ts';

const { values, positionals } = parseArgs({ allowPositionals: true, options: { 'sip-t1': { type: 'string' }, 'sip-t2': { type: 'string' }, 'refetch-timeout': { type: 'string' } } });
const file = positionals[0]!;
const log = createLogger({ level: process.env.LOG_LEVEL ?? 'warn', destination: 2 });
const loaded = await loadConfigFile(file);
if (!loaded.ok) { console.error(loaded.error); process.exit(2); }
const model = loaded.value.model;
await mkdir(model.dataDir, { recursive: true });
const live = liveConfig(file, model, { debounceMs: 50 });
const bus = createEventBus();
const base: ServiceDeps = { model: live.model, tree: live.tree, log, events: bus, leases: noLeases };
const services: Service[] = [];
const stats: Record<string, () => unknown> = {};
let dhcp: DhcpServer | undefined;
let deps = base;
if (model.services.dhcp.enabled) {
  dhcp = await startDhcpServer({ ...base, dataDir: model.dataDir });
  services.push(dhcp);
  deps = { ...base, leases: dhcp.leases };
}
if (model.services.tftp.enabled) { const t = await startTftpServer(deps); services.push(t); stats.tftp = () => t.stats(); }
if (model.services.http.enabled) { const h = await startHttpServers(deps); services.push(h); stats.http = () => h.stats; }
const admin = await startAdminServer({
  ...deps, live, dhcp, stats, subscribe: (fn) => bus.subscribe(fn),
  sipTimers: values['sip-t1'] ? { t1: Number(values['sip-t1']), t2: Number(values['sip-t2'] ?? 8 * Number(values['sip-t1'])) } : undefined,
  refetchTimeoutMs: values['refetch-timeout'] ? Number(values['refetch-timeout']) : undefined,
  persistDebounceMs: 200,
});
services.push(admin);
process.stdout.write(`admin ready ${admin.port}\n`);
process.once('SIGTERM', () => {
  live.close();
  void (async () => { for (const s of services.reverse()) await s.close().catch(() => undefined); process.exit(0); })();
});
