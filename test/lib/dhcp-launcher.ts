/**
 * Runs the DHCP service alone from an appliance.yaml, for integration tests and the benchmark (inside a
 * namespace started with lab.spawn). Prints "READY" once listening; SIGUSR2 prints "STATS <json>";
 * SIGTERM closes cleanly. Usage: node test/lib/dhcp-launcher.ts <appliance.yaml> <dataDir> [interface]
 */
import { startDhcpServer } from '../../src/dhcp/server.ts';
import { noLeases } from '../../src/runtime/deps.ts';
import { createEventBus } from '../../src/runtime/events.ts';
import { createLogger } from '../../src/shared/log.ts';
import type { TreeRef } from '../../src/tree/types.ts';
import { loadModel } from './load-model.ts';

const [file, dataDir, iface] = process.argv.slice(2);
if (!file || !dataDir) {
  process.stderr.write(
    'usage: dhcp-launcher.ts <appliance.yaml> <dataDir> [interface]\n',
  );
  process.exit(2);
}
const model = await loadModel(file).catch((e: Error) => {
  process.stderr.write(`${e.message}\n`);
  process.exit(2);
});
const tree: TreeRef = {
  current() {
    throw new Error('the DHCP launcher serves no files');
  },
};
const log = createLogger({
  level: process.env.LOG_LEVEL ?? 'info',
  destination: 2,
});
const server = await startDhcpServer({
  model: { current: () => model },
  tree,
  log,
  events: createEventBus(),
  leases: noLeases,
  dataDir,
  ...(iface ? { interface: iface } : {}),
});
process.on('SIGUSR2', () =>
  process.stdout.write(`STATS ${JSON.stringify(server.stats())}\n`),
);
process.on('SIGTERM', () => {
  void server.close().then(() => process.exit(0));
});
process.stdout.write('READY\n');
