/**
 * Hot reload: a changed appliance.yaml is validated and swapped in atomically (model and rendered tree
 * together); an invalid one is refused with its errors and the last good model keeps serving.
 */
import { type FSWatcher, unwatchFile, watch, watchFile } from 'node:fs';
import { basename, dirname } from 'node:path';
import type { ConfigIssue } from '../config/issues.ts';
import type { ApplianceModel } from '../config/model.ts';
import { restartOnlyChanges } from '../config/restart-fields.ts';
import { loadAppliance } from '../policy/load.ts';
import type { RefusalLog } from '../tree/refusals.ts';
import { createTree } from '../tree/tree.ts';
import type { FileTree, TreeRef } from '../tree/types.ts';
import type { ModelRef } from './deps.ts';

export interface ConfigState {
  readonly loadedAt: string;
  readonly sha256: string;
  readonly reloads: number;
  readonly failures: number;
  readonly lastError:
    | { at: string; issues: readonly ConfigIssue[] }
    | undefined;
  /** The warnings of the configuration in use (parameters the firmware does not know, missing images …). */
  readonly warnings: readonly ConfigIssue[];
}

export interface LiveConfig {
  readonly model: ModelRef;
  readonly tree: TreeRef;
  /** Try the file again now; resolves to the issues if refused. */
  reload(): Promise<{ ok: boolean; issues: readonly ConfigIssue[] }>;
  state(): ConfigState;
  onChange(fn: (m: ApplianceModel) => void): void;
  close(): void;
}

export function liveConfig(
  file: string,
  initial: ApplianceModel,
  opts: {
    watch?: boolean;
    debounceMs?: number;
    pollMs?: number;
    onEvent?: (e: { ok: boolean; issues: readonly ConfigIssue[] }) => void;
    refusals?: RefusalLog;
    /** The warnings the initial model was loaded with. */
    warnings?: readonly ConfigIssue[];
  } = {},
): LiveConfig {
  const treeOpts = opts.refusals ? { refusals: opts.refusals } : {};
  let current = {
    model: initial,
    tree: createTree(initial, treeOpts) as FileTree,
  };
  let reloads = 0;
  let failures = 0;
  let lastError: ConfigState['lastError'];
  let warnings: readonly ConfigIssue[] = opts.warnings ?? [];
  const listeners: ((m: ApplianceModel) => void)[] = [];
  let running:
    | Promise<{ ok: boolean; issues: readonly ConfigIssue[] }>
    | undefined;

  const reload = async (): Promise<{
    ok: boolean;
    issues: readonly ConfigIssue[];
  }> => {
    const r = await loadAppliance(file);
    if (!r.ok) {
      const res = { ok: false, issues: r.error };
      // An editor's save can fire the watcher twice: the same refusal again is one refusal, reported once.
      if (JSON.stringify(lastError?.issues) === JSON.stringify(r.error))
        return res;
      failures++;
      lastError = { at: new Date().toISOString(), issues: r.error };
      opts.onEvent?.(res);
      return res;
    }
    if (r.value.model.source.sha256 === current.model.source.sha256)
      return { ok: true, issues: r.value.warnings };
    // Settings read only at start are kept as they were; say so rather than pretend they took effect.
    const pending = restartOnlyChanges(current.model, r.value.model).map(
      (path): ConfigIssue => ({
        severity: 'warning',
        code: 'CFG_RESTART_NEEDED',
        file,
        line: 1,
        col: 1,
        path,
        message: 'changed; takes effect after a restart of the appliance',
      }),
    );
    current = {
      model: r.value.model,
      tree: createTree(r.value.model, treeOpts),
    }; // one assignment: the swap is atomic
    reloads++;
    lastError = undefined;
    for (const fn of listeners) {
      try {
        fn(current.model);
      } catch {
        /* a listener's bug must not undo a reload */
      }
    }
    const res = { ok: true, issues: [...pending, ...r.value.warnings] };
    warnings = res.issues;
    opts.onEvent?.(res);
    return res;
  };

  let watcher: FSWatcher | undefined;
  let timer: NodeJS.Timeout | undefined;
  const schedule = (): void => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      running = (running ?? Promise.resolve())
        .then(reload, reload)
        .catch(() => ({ ok: false, issues: [] }));
    }, opts.debounceMs ?? 200);
  };
  if (opts.watch !== false) {
    // Watch the folder (editors replace files by rename, which a watch on the file itself would lose) and
    // poll the file too (a single-file bind mount, as in compose.yaml, sends no folder events).
    watcher = watch(dirname(file), (_event, name) => {
      if (name === null || name === basename(file)) schedule();
    });
    watcher.on('error', () => undefined);
    watchFile(
      file,
      { interval: opts.pollMs ?? 2000, persistent: false },
      (cur, prev) => {
        if (
          cur.mtimeMs !== prev.mtimeMs ||
          cur.ino !== prev.ino ||
          cur.size !== prev.size
        )
          schedule();
      },
    );
  }

  return {
    model: { current: () => current.model },
    tree: { current: () => current.tree },
    reload,
    state: () => ({
      loadedAt: current.model.source.loadedAt,
      sha256: current.model.source.sha256,
      reloads,
      failures,
      lastError,
      warnings,
    }),
    onChange: (fn) => {
      listeners.push(fn);
    },
    close: () => {
      clearTimeout(timer);
      watcher?.close();
      unwatchFile(file);
    },
  };
}
