/**
 * check-sync jobs run by the admin server (from the API, the page or `appliance notify`): each job resolves
 * its selector, runs the waves, records every phone's outcome in the inventory, and keeps its progress for
 * polling. The last 20 jobs are kept in memory.
 */
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { Inventory } from '../../inventory/inventory.ts';
import type { ModelRef } from '../../runtime/deps.ts';
import { err, ok, type Result } from '../../shared/result.ts';
import type { Notifier } from '../../sip/sender.ts';
import { type SelectorError, selectTargets } from './targets.ts';
import { type PhoneJob, planJobs, runWaves } from './waves.ts';

export interface JobRequest {
  readonly selector: string;
  readonly reboot?: boolean;
  readonly wave?: number | undefined;
  readonly refetchTimeoutMs?: number | undefined;
}

export interface Job {
  readonly id: string;
  readonly selector: string;
  readonly reboot: boolean;
  readonly waveSize: number | undefined;
  readonly startedAt: number;
  finishedAt: number | undefined;
  currentWave: number;
  readonly waves: number;
  readonly phones: PhoneJob[];
  summary: Record<string, number>;
}

export interface JobRegistry {
  start(
    req: JobRequest,
  ): Result<
    Job,
    SelectorError | { code: 'ADMIN_NOTIFY_BAD_REQUEST'; message: string }
  >;
  get(id: string): Job | undefined;
  list(): Job[];
  /** Resolves when every running job has finished. */
  idle(): Promise<void>;
}

export function createJobRegistry(deps: {
  inventory: Inventory;
  model: ModelRef;
  notifier: () => Promise<Notifier>;
  log: Logger;
  now?: () => number;
  refetchTimeoutMs?: number;
  onUpdate?: (job: Job) => void;
}): JobRegistry {
  const now = deps.now ?? Date.now;
  const jobs: Job[] = [];
  const running = new Set<Promise<void>>();

  const waitRefetch = (
    mac: string,
    since: number,
    timeoutMs: number,
  ): Promise<number | undefined> =>
    new Promise((resolve) => {
      const check = (): number | undefined => {
        const f = deps.inventory.get(mac)?.lastConfigFetch;
        return f !== undefined && f >= since ? f : undefined;
      };
      const first = check();
      if (first !== undefined) {
        resolve(first);
        return;
      }
      const timer = setTimeout(() => {
        off();
        resolve(undefined);
      }, timeoutMs);
      timer.unref(); // a wave still waiting must not keep a stopping appliance alive
      const off = deps.inventory.onChange(() => {
        const at = check();
        if (at !== undefined) {
          clearTimeout(timer);
          off();
          resolve(at);
        }
      });
    });

  return {
    start(req) {
      if (
        req.wave !== undefined &&
        (!Number.isInteger(req.wave) || req.wave < 1 || req.wave > 10_000)
      )
        return err({
          code: 'ADMIN_NOTIFY_BAD_REQUEST',
          message: 'wave must be a whole number from 1 to 10000',
        });
      const targets = selectTargets(
        req.selector,
        deps.inventory.list(),
        deps.model.current(),
      );
      if (!targets.ok) return targets;
      const phones = planJobs(targets.value, req.wave);
      const job: Job = {
        id: randomBytes(6).toString('hex'),
        selector: req.selector,
        reboot: req.reboot === true,
        waveSize: req.wave,
        startedAt: now(),
        finishedAt: undefined,
        currentWave: 1,
        waves: Math.max(0, ...phones.map((p) => p.wave)),
        phones,
        summary: {},
      };
      const update = (wave: number): void => {
        job.currentWave = wave;
        const s: Record<string, number> = {};
        for (const p of job.phones) s[p.state] = (s[p.state] ?? 0) + 1;
        job.summary = s;
        deps.onUpdate?.(job);
      };
      jobs.push(job);
      if (jobs.length > 20) jobs.shift();
      deps.log.info(
        {
          event: 'check-sync',
          job: job.id,
          selector: job.selector,
          phones: phones.length,
          wave: job.waveSize,
          reboot: job.reboot,
        },
        'check-sync started',
      );
      const run = (async () => {
        const notifier = await deps.notifier();
        await runWaves(
          {
            targets: targets.value,
            waveSize: req.wave,
            refetchTimeoutMs:
              req.refetchTimeoutMs ?? deps.refetchTimeoutMs ?? 120_000,
            notify: (t) =>
              notifier.notify({ ...t, reboot: job.reboot }).then((o) => {
                deps.inventory.noteNotify(t.mac, o.result);
                return o;
              }),
            waitRefetch,
            now,
            onProgress: (_p, w) => update(w),
          },
          phones,
        );
      })()
        .catch((e: Error) => {
          deps.log.error(
            { code: 'ADMIN_NOTIFY_SEND', err: e.message, job: job.id },
            'check-sync job failed',
          );
          for (const p of job.phones)
            if (p.state === 'pending' || p.state === 'sent') {
              p.state = 'ADMIN_NOTIFY_SEND';
              p.reason = e.message;
            }
        })
        .finally(() => {
          job.finishedAt = now();
          update(job.currentWave);
          running.delete(run);
          deps.log.info(
            {
              event: 'check-sync',
              job: job.id,
              summary: job.summary,
              ms: job.finishedAt - job.startedAt,
            },
            'check-sync finished',
          );
        });
      running.add(run);
      update(1);
      return ok(job);
    },
    get: (id) => jobs.find((j) => j.id === id),
    list: () => [...jobs].reverse(),
    async idle() {
      while (running.size > 0) await Promise.all(running);
    },
  };
}
