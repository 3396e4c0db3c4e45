/** JSON logs (pino): one line per DHCP exchange and per transfer. Level from LOG_LEVEL. */
import { pino, type Logger } from 'pino';

export type { Logger };

export function createLogger(options: { level?: string; destination?: number } = {}): Logger {
  const level = options.level ?? process.env.LOG_LEVEL ?? 'info';
  return pino({ level, base: { svc: 'appliance' }, timestamp: pino.stdTimeFunctions.isoTime }, pino.destination(options.destination ?? 1));
}

/** A logger that drops everything, for unit tests. */
export const silentLogger = (): Logger => pino({ level: 'silent' });
