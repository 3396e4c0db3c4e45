/**
 * The configuration side of `appliance run` (src/main.ts), before any service starts: appliance.yaml loaded
 * (its errors and warnings logged, an invalid file refused), the data directory made and rid of unfinished
 * uploads, and the live configuration that reloads the file and logs each reload, taken or refused.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { formatIssue } from '../config/issues.ts';
import type { ApplianceModel } from '../config/model.ts';
import { loadAppliance } from '../policy/load.ts';
import { type LiveConfig, liveConfig } from '../runtime/live-config.ts';
import type { Logger } from '../shared/log.ts';
import { createRefusalLog } from '../tree/refusals.ts';
import { removeStaleParts } from '../tree/uploads.ts';

export interface StartingConfig {
  /** The model as loaded at start (what the services are started with). */
  readonly model: ApplianceModel;
  readonly live: LiveConfig;
}

/** Throws when appliance.yaml is invalid (its issues logged first). */
export async function openLiveConfig(
  configPath: string,
  log: Logger,
  reloadDebounceMs: number | undefined,
): Promise<StartingConfig> {
  const loaded = await loadAppliance(configPath);
  if (!loaded.ok) {
    for (const i of loaded.error)
      log.error(
        { code: i.code, at: `${i.file}:${i.line}:${i.col}`, path: i.path },
        formatIssue(i),
      );
    throw new Error(`${configPath}: invalid configuration, not starting`);
  }
  for (const w of loaded.value.warnings)
    log.warn(
      { code: w.code, at: `${w.file}:${w.line}:${w.col}` },
      formatIssue(w),
    );
  const model = loaded.value.model;
  await mkdir(model.dataDir, { recursive: true });
  const stale = await removeStaleParts(join(model.dataDir, 'uploads'));
  if (stale.length > 0)
    log.info(
      { removed: stale.length },
      'removed the temporary files of unfinished uploads',
    );
  const refusals = createRefusalLog({
    log: (r) =>
      log.warn(
        {
          code: 'TREE_MAC_MISMATCH',
          reason: 'unknown-host',
          protocol: r.protocol,
          peer: r.peer,
          path: r.path,
          suppressed: r.suppressed,
        },
        'upload refused: the address holds no lease or INFORM binding (logged once per host a minute)',
      ),
  });
  const live = liveConfig(configPath, model, {
    refusals,
    warnings: loaded.value.warnings,
    ...(reloadDebounceMs === undefined ? {} : { debounceMs: reloadDebounceMs }),
    onEvent: (e) => {
      if (e.ok)
        log.info(
          {
            event: 'config-reload',
            sha256: live.model.current().source.sha256,
            warnings: e.issues.map(formatIssue),
          },
          'configuration reloaded',
        );
      else
        log.error(
          { event: 'config-reload-refused', issues: e.issues.map(formatIssue) },
          'new configuration refused; the last good one keeps serving',
        );
    },
  });
  return { model, live };
}
