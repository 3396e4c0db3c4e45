/**
 * `appliance schema [--config FILE] [--release NAME]`: the JSON Schema of appliance.yaml. With a release, its
 * parameters maps list that release's known parameters (types, enumerations, descriptions) for editor
 * completion; without one, those of every release of FILE whose folder holds a polycomConfig.xsd (none:
 * the plain schema, as committed while tftpboot/ ships empty).
 */
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { jsonSchema, PARAMETER_NAME } from '../config/schema.ts';
import { loadAppliance } from '../policy/load.ts';
import { releaseCatalogs } from '../policy/parameters/loader.ts';
import { withCatalog } from '../policy/parameters/json-schema.ts';
import type { Catalog } from '../policy/parameters/catalog.ts';
import { defaultConfig, loadReported } from './load-report.ts';

async function catalogs(config: string, release: string | undefined): Promise<Catalog[] | undefined> {
  if (release === undefined) {
    // The plain schema must come out even where appliance.yaml is missing or broken: nothing to add then.
    const r = existsSync(config) ? await loadAppliance(config) : undefined;
    return r?.ok ? releaseCatalogs(r.value.model).map((c) => c.catalog) : [];
  }
  const loaded = await loadReported(config, { quietWarnings: true });
  if (!loaded) return undefined;
  const found = releaseCatalogs(loaded.model).find((c) => c.release.name === release);
  if (found) return [found.catalog];
  const known = [...loaded.model.firmware.keys()];
  process.stderr.write(known.includes(release) ? `firmware "${release}": no polycomConfig.xsd in its folder\n` : `no firmware release "${release}" (known: ${known.join(', ') || 'none'})\n`);
  return undefined;
}

export async function schemaCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { config: { type: 'string', short: 'c' }, release: { type: 'string' } } });
  const cats = await catalogs(values.config ?? defaultConfig(), values.release);
  if (!cats) return 1;
  const schema = withCatalog(jsonSchema() as Record<string, unknown>, cats, PARAMETER_NAME.source);
  process.stdout.write(JSON.stringify(schema, null, 2) + '\n');
  return 0;
}
