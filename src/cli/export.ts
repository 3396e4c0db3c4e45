/**
 * `appliance export kea|dnsmasq`: the appliance's DHCP policy as another server's configuration
 * (src/dhcp/export/). The file goes to --out (or stdout); what the target cannot express goes to stderr.
 * Exit status: 0 everything expressed (differences are listed), 2 something could not be, 1 bad arguments
 * or an invalid appliance.yaml.
 *   appliance export kea [--config FILE] [--site S] [--ha PRIMARY_URL,STANDBY_URL [--ha-this primary|standby]
 *                        [--ha-delay MS]] [--lease-file F] [--hooks-dir D] [--out FILE]
 *   appliance export dnsmasq [--config FILE] [--site S] [--lease-file F] [--out FILE]
 */
import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { formatIssue } from '../config/issues.ts';
import type { ApplianceModel } from '../config/model.ts';
import { exportDnsmasq } from '../dhcp/export/dnsmasq.ts';
import { exportKea } from '../dhcp/export/kea.ts';
import {
  DEBIAN_HOOKS_DIR,
  DEFAULT_HA_DELAY_MS,
  parseHaUrls,
} from '../dhcp/export/kea-ha.ts';
import {
  type ExportResult,
  exitStatus,
  formatFindings,
} from '../dhcp/export/report.ts';
import { loadAppliance } from '../policy/load.ts';

export const EXPORT_USAGE = `usage:
  appliance export kea [--config FILE] [--site S] [--ha PRIMARY_URL,STANDBY_URL] [--ha-this primary|standby]
                       [--ha-delay MS] [--lease-file FILE] [--hooks-dir DIR] [--out FILE]
  appliance export dnsmasq [--config FILE] [--site S] [--lease-file FILE] [--out FILE]
exit status: 0 everything expressed, 2 something could not be (listed on stderr), 1 bad arguments or config`;

const fail = (message: string): number => {
  process.stderr.write(`${message}\n${EXPORT_USAGE}\n`);
  return 1;
};

/** One site only (--site): the others are left out of the export. */
function onlySite(
  model: ApplianceModel,
  name: string,
): ApplianceModel | undefined {
  const site = model.sites.get(name);
  return site ? { ...model, sites: new Map([[name, site]]) } : undefined;
}

export async function exportCommand(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        config: { type: 'string', short: 'c' },
        site: { type: 'string' },
        out: { type: 'string', short: 'o' },
        ha: { type: 'string' },
        'ha-this': { type: 'string' },
        'ha-delay': { type: 'string' },
        'lease-file': { type: 'string' },
        'hooks-dir': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (e) {
    return fail((e as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    process.stdout.write(`${EXPORT_USAGE}\n`);
    return 0;
  }
  const target = positionals[0];
  if (target !== 'kea' && target !== 'dnsmasq')
    return fail(
      `export what? "kea" or "dnsmasq", got ${target === undefined ? 'nothing' : `"${target}"`}`,
    );
  if (
    target === 'dnsmasq' &&
    (values.ha ||
      values['ha-this'] ||
      values['ha-delay'] ||
      values['hooks-dir'])
  )
    return fail('--ha, --ha-this, --ha-delay and --hooks-dir are for kea');

  const file =
    values.config ?? process.env.APPLIANCE_CONFIG ?? 'appliance.yaml';
  const loaded = await loadAppliance(file);
  if (!loaded.ok) {
    process.stderr.write(
      loaded.error.map((i) => `${formatIssue(i)}\n`).join(''),
    );
    return 1;
  }
  let model = loaded.value.model;
  if (values.site !== undefined) {
    const one = onlySite(model, values.site);
    if (!one) return fail(`no site "${values.site}" in ${file}`);
    model = one;
  }

  let result: ExportResult;
  const leaseFile =
    values['lease-file'] !== undefined
      ? { leaseFile: values['lease-file'] }
      : {};
  if (target === 'kea') {
    const hooksDir = values['hooks-dir'] ?? DEBIAN_HOOKS_DIR;
    let ha;
    if (values.ha !== undefined) {
      const urls = parseHaUrls(values.ha);
      if (typeof urls === 'string') return fail(urls);
      const thisServer = values['ha-this'] ?? 'primary';
      if (thisServer !== 'primary' && thisServer !== 'standby')
        return fail(`--ha-this is primary or standby, got "${thisServer}"`);
      const delay = Number(values['ha-delay'] ?? DEFAULT_HA_DELAY_MS);
      if (!Number.isInteger(delay) || delay < 1000)
        return fail(
          `--ha-delay is milliseconds, at least 1000, got "${values['ha-delay']}"`,
        );
      ha = {
        primaryUrl: urls.primary,
        standbyUrl: urls.standby,
        thisServer,
        maxResponseDelay: delay,
        hooksDir,
      } as const;
    } else if (
      values['ha-this'] !== undefined ||
      values['ha-delay'] !== undefined
    ) {
      return fail('--ha-this and --ha-delay need --ha');
    }
    result = exportKea(model, {
      ...leaseFile,
      hooksDir,
      ...(ha ? { ha } : {}),
    });
  } else {
    result = exportDnsmasq(model, leaseFile);
  }

  if (values.out !== undefined) await writeFile(values.out, result.text);
  else process.stdout.write(result.text);
  process.stderr.write(formatFindings(result));
  return exitStatus(result);
}

if (import.meta.main) {
  exportCommand(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      process.stderr.write(
        `appliance export: ${(e as Error).stack ?? String(e)}\n`,
      );
      process.exitCode = 70;
    },
  );
}
