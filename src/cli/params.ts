/**
 * The commands over the release parameter catalog.
 * `appliance params [--config FILE] [--release R | --model M] QUERY`: search a release's parameter catalog
 * (names and descriptions, case-insensitive); prints name, type, default, description. An indexed family
 * prints once, as reg.N.address with its index range. The release: --release, else the one model M runs,
 * else the default release.
 * `appliance schema [--config FILE] [--release NAME]`: the JSON Schema of appliance.yaml. With a release, its
 * parameters maps list that release's known parameters (types, enumerations, descriptions) for editor
 * completion; without one, those of every release of FILE whose folder holds a polycomConfig.xsd (none:
 * the plain schema, as committed while tftpboot/ ships empty).
 */
import { existsSync } from 'node:fs';
import type { ApplianceModel, FirmwareRelease } from '../config/model.ts';
import { jsonSchema } from '../config/schema.ts';
import { PARAMETER_NAME } from '../config/schema-fields.ts';
import { loadAppliance } from '../policy/load.ts';
import {
  type Catalog,
  familyOf,
  type Param,
} from '../policy/parameters/catalog.ts';
import { withCatalog } from '../policy/parameters/json-schema.ts';
import {
  catalogOfFolder,
  releaseCatalogs,
} from '../policy/parameters/loader.ts';
import { describeType } from '../policy/parameters/types.ts';
import { releaseFor } from '../policy/release.ts';
import { parseCommand } from './args.ts';
import { defaultConfig, loadReported } from './load-report.ts';
import { formatTable } from './tables.ts';

function pickRelease(
  model: ApplianceModel,
  release: string | undefined,
  token: string | undefined,
): FirmwareRelease | string {
  if (release !== undefined)
    return (
      model.firmware.get(release) ??
      `no firmware release "${release}" (known: ${[...model.firmware.keys()].join(', ') || 'none'})`
    );
  if (token !== undefined) {
    if (!model.models.has(token)) return `unknown phone model "${token}"`;
    return (
      releaseFor(model, { model: token }) ??
      `model ${token} runs no release (give it one, or defaults.firmware)`
    );
  }
  return (
    (model.defaultFirmware && model.firmware.get(model.defaultFirmware)) ||
    'no default release: name one with --release or --model'
  );
}

/** Matching rows, families collapsed: [name, type, default, description]. */
export function searchCatalog(cat: Catalog, query: string): string[][] {
  const q = query.toLowerCase();
  const qFamily = familyOf(query).pattern.toLowerCase();
  const seen = new Set<string>();
  const rows: string[][] = [];
  const row = (p: Param): string[] => {
    const fam = p.family ? cat.families.get(p.family) : undefined;
    const name = fam
      ? `${fam.pattern} (N ${fam.ranges.map(([lo, hi]) => `${lo}..${hi}`).join(', ')})`
      : p.name;
    return [
      name,
      describeType(p.type),
      p.default === undefined ? '-' : JSON.stringify(p.default),
      p.description,
    ];
  };
  for (const p of cat.params.values()) {
    const key = p.family ?? p.name;
    if (seen.has(key)) continue;
    const hay = [
      p.name.toLowerCase(),
      key.toLowerCase(),
      p.description.toLowerCase(),
    ];
    if (!hay.some((h) => h.includes(q) || h.includes(qFamily))) continue;
    seen.add(key);
    rows.push(row(p));
  }
  return rows.sort((a, b) => a[0]!.localeCompare(b[0]!));
}

export async function paramsCommand(argv: string[]): Promise<number> {
  const parsed = parseCommand(argv, {
    release: { type: 'string' },
    model: { type: 'string' },
  });
  if (!parsed) return 2;
  const { values, positionals } = parsed;
  const query = positionals.join(' ');
  if (query === '') {
    process.stderr.write(
      'usage: appliance params [--config FILE] [--release R | --model M] QUERY\n',
    );
    return 2;
  }
  const loaded = await loadReported(values.config ?? defaultConfig(), {
    quietWarnings: true,
  });
  if (!loaded) return 1;
  const rel = pickRelease(loaded.model, values.release, values.model);
  if (typeof rel === 'string') {
    process.stderr.write(`${rel}\n`);
    return 1;
  }
  const found = catalogOfFolder(rel.dir);
  if (!found) {
    process.stderr.write(
      `firmware "${rel.name}": no polycomConfig.xsd in ${rel.folder}/\n`,
    );
    return 1;
  }
  const rows = searchCatalog(found.catalog, query);
  if (rows.length === 0) {
    process.stderr.write(
      `no parameter of firmware "${rel.name}" matches "${query}"\n`,
    );
    return 1;
  }
  process.stdout.write(
    formatTable(['name', 'type', 'default', 'description'], rows),
  );
  process.stderr.write(
    `${rows.length} match${rows.length === 1 ? '' : 'es'} in firmware "${rel.name}" (${found.file})\n`,
  );
  return 0;
}

async function catalogs(
  config: string,
  release: string | undefined,
): Promise<Catalog[] | undefined> {
  if (release === undefined) {
    // The plain schema must come out even where appliance.yaml is missing or broken: nothing to add then.
    const r = existsSync(config) ? await loadAppliance(config) : undefined;
    return r?.ok ? releaseCatalogs(r.value.model).map((c) => c.catalog) : [];
  }
  const loaded = await loadReported(config, { quietWarnings: true });
  if (!loaded) return undefined;
  const found = releaseCatalogs(loaded.model).find(
    (c) => c.release.name === release,
  );
  if (found) return [found.catalog];
  const known = [...loaded.model.firmware.keys()];
  process.stderr.write(
    known.includes(release)
      ? `firmware "${release}": no polycomConfig.xsd in its folder\n`
      : `no firmware release "${release}" (known: ${known.join(', ') || 'none'})\n`,
  );
  return undefined;
}

export async function schemaCommand(argv: string[]): Promise<number> {
  const parsed = parseCommand(argv, { release: { type: 'string' } });
  if (!parsed) return 2;
  const { values } = parsed;
  const cats = await catalogs(values.config ?? defaultConfig(), values.release);
  if (!cats) return 1;
  const schema = withCatalog(
    jsonSchema() as Record<string, unknown>,
    cats,
    PARAMETER_NAME.source,
  );
  process.stdout.write(`${JSON.stringify(schema, null, 2)}\n`);
  return 0;
}
