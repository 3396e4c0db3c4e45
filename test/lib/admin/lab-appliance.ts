/**
 * The appliance as `appliance run` composes it (startAppliance from src/main.ts), for the operations tests
 * (run inside a test's network namespace), with the admin server's timers shortened:
 *
 *   node lab-appliance.ts CONFIG [--sip-t1 MS] [--sip-t2 MS] [--refetch-timeout MS] [--max-phones N]
 *
 * The config must enable the admin server. Logs (pino JSON, level LOG_LEVEL or warn) go to stderr. Prints
 * "admin ready PORT" once listening; SIGTERM closes everything.
 */
import { parseArgs } from 'node:util';
import { type Running, startAppliance } from '../../../src/main.ts';
import { createLogger } from '../../../src/shared/log.ts';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    'sip-t1': { type: 'string' },
    'sip-t2': { type: 'string' },
    'refetch-timeout': { type: 'string' },
    'max-phones': { type: 'string' },
  },
});
const file = positionals[0]!;
const log = createLogger({
  level: process.env.LOG_LEVEL ?? 'warn',
  destination: 2,
});
let running: Running;
try {
  running = await startAppliance(file, log, {
    reloadDebounceMs: 50,
    admin: {
      sipTimers: values['sip-t1']
        ? {
            t1: Number(values['sip-t1']),
            t2: Number(values['sip-t2'] ?? 8 * Number(values['sip-t1'])),
          }
        : undefined,
      refetchTimeoutMs: values['refetch-timeout']
        ? Number(values['refetch-timeout'])
        : undefined,
      persistDebounceMs: 200,
      maxPhones: values['max-phones']
        ? Number(values['max-phones'])
        : undefined,
    },
  });
} catch (e) {
  console.error((e as Error).message);
  process.exit(2);
}
const { admin } = running;
if (!admin) {
  console.error(`${file}: services.admin is not enabled`);
  await running.close();
  process.exit(2);
}
// Run with --expose-gc: SIGUSR2 collects garbage and prints "gc done RSS_KB" (memory tests measure what is kept).
process.on('SIGUSR2', () => {
  (globalThis as { gc?: () => void }).gc?.();
  const m = process.memoryUsage();
  process.stdout.write(
    `gc done ${Math.round(m.rss / 1024)} heap ${Math.round(m.heapUsed / 1024)}/${Math.round(m.heapTotal / 1024)} external ${Math.round(m.external / 1024)} buffers ${Math.round(m.arrayBuffers / 1024)}\n`,
  );
});
process.stdout.write(`admin ready ${admin.port}\n`);
process.once('SIGTERM', () => {
  running.close().finally(() => process.exit(0));
});
