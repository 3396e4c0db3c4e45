/**
 * `appliance overrides [--config FILE] [MAC]`: per phone, the parameters its uploaded <MAC>-phone.cfg and
 * <MAC>-web.cfg set, and whether appliance.yaml gives it a different value (the phone's wins: it applies its
 * overrides last). `--clear MAC` retires the phone's override files (kept as generation 1 of their .history).
 * Password values print as asterisks.
 */
import {
  mkdir,
  readdir,
  readFile,
  rename,
  stat,
  unlink,
} from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { ApplianceModel } from '../config/model.ts';
import { isSecretName } from '../policy/parameters/check.ts';
import {
  applianceParameters,
  compareOverrides,
  overrideParameters,
} from '../policy/parameters/overrides.ts';
import { fsyncDir } from '../shared/durable.ts';
import { type Mac, parseMac } from '../shared/mac.ts';
import { AREAS } from '../tree/layout.ts';
import { generations } from '../tree/uploads.ts';
import { parseCommand } from './args.ts';
import { defaultConfig, loadReported } from './load-report.ts';
import { formatTable } from './tables.ts';

interface OverrideFile {
  readonly mac: Mac;
  readonly path: string;
  readonly shown: string;
}

/** Every override file under <dataDir>/uploads/<site>/overrides/, by MAC. */
async function overrideFiles(model: ApplianceModel): Promise<OverrideFile[]> {
  const root = join(model.dataDir, 'uploads');
  const out: OverrideFile[] = [];
  for (const site of (await readdir(root).catch(() => [] as string[])).sort()) {
    const dir = join(root, site, AREAS.OVERRIDES_DIRECTORY.dir);
    for (const name of (
      await readdir(dir).catch(() => [] as string[])
    ).sort()) {
      const m = AREAS.OVERRIDES_DIRECTORY.names.exec(name);
      if (m)
        out.push({
          mac: m[1] as Mac,
          path: join(dir, name),
          shown: `${site}/${AREAS.OVERRIDES_DIRECTORY.dir}/${name}`,
        });
    }
  }
  return out;
}

/**
 * Retire an uploaded file: the live file becomes generation 1 of its .history (the older ones move up one,
 * beyond `keep` they go), so a clear can be undone by copying it back. false when there is no such file.
 */
export async function retireUpload(
  file: string,
  keep: number,
): Promise<boolean> {
  if (
    !(await stat(file).then(
      (s) => s.isFile(),
      () => false,
    ))
  )
    return false;
  const hist = join(dirname(file), '.history');
  await mkdir(hist, { recursive: true });
  const name = basename(file);
  const limit = Math.max(1, keep);
  for (const old of (await generations(file)).reverse()) {
    const n = Number(old.slice(old.lastIndexOf('.') + 1));
    if (n >= limit) await unlink(old);
    else await rename(old, join(hist, `${name}.${n + 1}`));
  }
  await rename(file, join(hist, `${name}.1`));
  await fsyncDir(dirname(file));
  return true;
}

const shown = (name: string, value: string): string =>
  isSecretName(name) && value !== '' ? '********' : JSON.stringify(value);

async function list(
  model: ApplianceModel,
  only: Mac | undefined,
): Promise<number> {
  const files = (await overrideFiles(model)).filter(
    (f) => only === undefined || f.mac === only,
  );
  if (files.length === 0) {
    process.stderr.write(
      `no override files${only ? ` for ${only}` : ''} in ${join(model.dataDir, 'uploads')}\n`,
    );
    return only ? 1 : 0;
  }
  for (const f of files) {
    const entry = model.phones.get(f.mac);
    const sets = overrideParameters(await readFile(f.path, 'utf8'));
    const rows = compareOverrides(sets, applianceParameters(model, f.mac));
    process.stdout.write(
      `${f.mac}${entry?.label ? ` (${entry.label})` : ''}: ${f.shown}, ${rows.length} parameter${rows.length === 1 ? '' : 's'}, ${rows.filter((r) => r.differs).length} differing from appliance.yaml\n`,
    );
    process.stdout.write(
      formatTable(
        ['parameter', 'phone (wins)', 'appliance.yaml', 'from', 'note'],
        rows.map((r) => [
          r.name,
          shown(r.name, r.phone),
          r.appliance ? shown(r.name, r.appliance.value) : undefined,
          r.appliance?.from,
          r.appliance === undefined
            ? 'phone only'
            : r.differs
              ? 'differs: the phone wins'
              : 'same',
        ]),
      ),
    );
  }
  return 0;
}

export async function overridesCommand(argv: string[]): Promise<number> {
  const parsed = parseCommand(argv, { clear: { type: 'string' } });
  if (!parsed) return 2;
  const { values, positionals } = parsed;
  const target = values.clear ?? positionals[0];
  const mac = target === undefined ? undefined : parseMac(target);
  if (mac && !mac.ok) {
    process.stderr.write(`${target}: ${mac.error}\n`);
    return 2;
  }
  const loaded = await loadReported(values.config ?? defaultConfig(), {
    quietWarnings: true,
  });
  if (!loaded) return 1;
  const model = loaded.model;
  if (values.clear === undefined)
    return list(model, mac?.ok ? mac.value : undefined);
  const files = (await overrideFiles(model)).filter(
    (f) => mac?.ok && f.mac === mac.value,
  );
  let retired = 0;
  for (const f of files)
    if (await retireUpload(f.path, model.uploads.keepGenerations)) {
      retired++;
      process.stdout.write(
        `retired ${f.shown} (now ${f.shown.replace(/[^/]+$/, '.history/$&')}.1)\n`,
      );
    }
  if (retired === 0) {
    process.stderr.write(`no override file for ${values.clear}\n`);
    return 1;
  }
  return 0;
}
