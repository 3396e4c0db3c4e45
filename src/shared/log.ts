/**
 * JSON logs (pino): one line per DHCP exchange and per transfer. Level from LOG_LEVEL.
 *
 * The root logger's base field is `app` (the process); each service's child logger adds `svc` (dhcp, tftp,
 * ftp, admin). The two keys differ so a service's line carries each key once: pino writes a child's bindings
 * after the base without merging, so a base `svc` repeated by a child gave `"svc":"appliance","svc":"dhcp"`.
 */
import { type Logger, type LoggerOptions, pino } from 'pino';

export type { Logger };

/** The root logger's settings (level, base fields, ISO timestamps). */
export function rootLoggerOptions(level: string): LoggerOptions {
  return {
    level,
    base: { app: 'appliance' },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
}

/**
 * Writes are asynchronous (no blocking write(2) per line on the DHCP/TFTP hot path) but unbuffered, so a
 * line appears as soon as the event loop turns; call flushLogger() before exiting.
 */
export function createLogger(
  options: { level?: string; destination?: number } = {},
): Logger {
  const level = options.level ?? process.env.LOG_LEVEL ?? 'info';
  return pino(
    rootLoggerOptions(level),
    pino.destination({
      dest: options.destination ?? 1,
      sync: false,
      minLength: 0,
    }),
  );
}

export function flushLogger(log: Logger): void {
  try {
    log.flush();
  } catch {
    /* nothing buffered */
  }
}

/** A logger that drops everything, for unit tests. */
export const silentLogger = (): Logger => pino({ level: 'silent' });
