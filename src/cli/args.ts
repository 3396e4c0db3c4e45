/**
 * A subcommand's flags: its own options plus --config/-c, positionals allowed. A flag it does not know is
 * said on stderr and gives undefined (the command exits 2) rather than a stack trace.
 */
import { type ParseArgsOptionsConfig, parseArgs } from 'node:util';

const CONFIG = { config: { type: 'string', short: 'c' } } as const;

export function parseCommand<const O extends ParseArgsOptionsConfig>(
  argv: readonly string[],
  options: O,
) {
  try {
    return parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: { ...CONFIG, ...options },
    });
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n`);
    return undefined;
  }
}
