/** Load appliance.yaml for a command: errors (and, unless quiet, warnings) to stderr as FILE:LINE:COL. */

import { formatIssue } from '../config/issues.ts';
import type { Loaded } from '../config/load.ts';
import { loadAppliance } from '../policy/load.ts';

export async function loadReported(
  file: string,
  opts: { quietWarnings?: boolean; strict?: boolean } = {},
): Promise<Loaded | undefined> {
  const r = await loadAppliance(file, { strict: opts.strict ?? false });
  if (!r.ok) {
    for (const i of r.error) process.stderr.write(`${formatIssue(i)}\n`);
    const n = r.error.filter((i) => i.severity === 'error').length;
    process.stderr.write(`${file}: ${n} error${n === 1 ? '' : 's'}\n`);
    return undefined;
  }
  if (!opts.quietWarnings)
    for (const w of r.value.warnings)
      process.stderr.write(`${formatIssue(w)}\n`);
  return r.value;
}

export const defaultConfig = (): string =>
  process.env.APPLIANCE_CONFIG ?? 'appliance.yaml';
