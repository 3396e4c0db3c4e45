/**
 * `appliance logs <MAC> [--follow] [--bytes N]`: what one phone sent by syslog, from the data directory the
 * syslog service writes (<dataDir>/syslog/<mac>.log and its rotated generation); --follow keeps printing
 * what arrives until interrupted.
 */
import { parseMac } from '../shared/mac.ts';
import { followLog, readLogTail, syslogDir } from '../syslog/log-files.ts';
import { parseCommand } from './args.ts';
import { errOut, model, out } from './ops.ts';

export async function logsCommand(
  argv: string[],
  signal?: AbortSignal,
): Promise<number> {
  const a = parseCommand(argv, {
    follow: { type: 'boolean', short: 'f' },
    bytes: { type: 'string' },
  });
  if (!a) return 2;
  const mac = parseMac(a.positionals[0] ?? '');
  if (!mac.ok) {
    errOut('usage: appliance logs <MAC> [--follow] [--bytes N]\n');
    return 2;
  }
  const m = await model(a.values.config);
  if (!m) return 1;
  const dir = syslogDir(m.dataDir);
  const bytes = Number(a.values.bytes ?? 64 * 1024);
  if (!Number.isInteger(bytes) || bytes < 1) {
    errOut(`--bytes takes a whole number, not "${String(a.values.bytes)}"\n`);
    return 2;
  }
  const text = await readLogTail(dir, mac.value, bytes);
  if (text === '' && !a.values.follow && !m.services.syslog.enabled)
    errOut(
      `services.syslog is disabled in appliance.yaml: no phone logs are received\n`,
    );
  out(text);
  if (!a.values.follow) return 0;
  const stop = new AbortController();
  const onSignal = (): void => stop.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  signal?.addEventListener('abort', onSignal, { once: true });
  try {
    for await (const chunk of followLog(dir, mac.value, stop.signal))
      out(chunk);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  return 0;
}
