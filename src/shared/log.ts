/** JSON logs (pino): one line per DHCP exchange and per transfer. Level from LOG_LEVEL. */
import { pino, type Logger } from 'pino';

export type { Logger };

/**
 * Writes are asynchronous (no blocking write(2) per line on the DHCP/TFTP hot path) but unbuffered, so a
 * line appears as soon as the event loop turns; call flushLogger() before exiting.
 */
export function createLogger(options: { level?: string; destination?: number } = {}): Logger {
  const level = options.level ?? process.env.LOG_LEVEL ?? 'info';
  return pino({ level, base: { svc: 'appliance' }, timestamp: pino.stdTimeFunctions.isoTime }, pino.destination({ dest: options.destination ?? 1, sync: false, minLength: 0 }));
}

export function flushLogger(log: Logger): void {
  try { log.flush(); } catch { /* nothing buffered */ }
}

/** A logger that drops everything, for unit tests. */
export const silentLogger = (): Logger => pino({ level: 'silent' });
