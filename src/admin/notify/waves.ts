/**
 * check-sync in waves: N phones at a time; the next wave starts only once every phone of the previous wave
 * that accepted the NOTIFY has re-fetched its configuration (or the re-fetch timeout passed), so a rollout
 * never takes a whole floor down at once. Without a wave size every phone is notified at once (at most
 * `parallel` transactions in flight) and answers are reported without waiting for re-fetches.
 */
import type { NotifyOutcome, NotifyTarget } from '../../sip/sender.ts';

export interface WaveTarget extends NotifyTarget {
  readonly mac: string;
}

export type PhoneProgress =
  | 'pending'
  | 'sent'
  | 'answered'
  | 'refetched'
  | 'ADMIN_NOTIFY_TIMEOUT'
  | 'ADMIN_NOTIFY_REJECTED'
  | 'ADMIN_NOTIFY_SEND'
  | 'ADMIN_NOTIFY_NO_REFETCH'
  | 'ADMIN_NOTIFY_NO_ADDRESS';

export interface PhoneJob {
  readonly mac: string;
  readonly address: string | undefined;
  readonly wave: number;
  state: PhoneProgress;
  status: number | undefined;
  reason: string | undefined;
  attempts: number;
  sentAt: number | undefined;
  answeredAt: number | undefined;
  refetchedAt: number | undefined;
}

export interface WavePlan {
  readonly targets: readonly (
    | WaveTarget
    | { mac: string; address: undefined }
  )[];
  readonly waveSize: number | undefined;
  readonly refetchTimeoutMs: number;
  readonly parallel?: number;
  notify(t: WaveTarget): Promise<NotifyOutcome>;
  /** Resolves true when the phone fetched a .cfg after `since`, false at the timeout. */
  waitRefetch(
    mac: string,
    since: number,
    timeoutMs: number,
  ): Promise<number | undefined>;
  now(): number;
  onProgress(phones: readonly PhoneJob[], wave: number): void;
}

async function pool<T>(
  items: readonly T[],
  limit: number,
  fn: (t: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) await fn(items[next++]!);
  };
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, worker),
  );
}

export function planJobs(
  targets: WavePlan['targets'],
  waveSize: number | undefined,
): PhoneJob[] {
  const size =
    waveSize && waveSize > 0 ? waveSize : Math.max(1, targets.length);
  let slot = 0;
  // A phone without an address takes no place in a wave (wave 0): it is reported, never waited for.
  return targets.map((t) => ({
    mac: t.mac,
    address: t.address,
    wave: t.address === undefined ? 0 : Math.floor(slot++ / size) + 1,
    state: t.address === undefined ? 'ADMIN_NOTIFY_NO_ADDRESS' : 'pending',
    status: undefined,
    reason:
      t.address === undefined
        ? 'no known address (no lease, never seen)'
        : undefined,
    attempts: 0,
    sentAt: undefined,
    answeredAt: undefined,
    refetchedAt: undefined,
  }));
}

export async function runWaves(
  plan: WavePlan,
  jobs: PhoneJob[],
): Promise<void> {
  const waves = Math.max(0, ...jobs.map((j) => j.wave));
  const waitForRefetch = plan.waveSize !== undefined && plan.waveSize > 0;
  const byMac = new Map(plan.targets.map((t) => [t.mac, t]));
  for (let w = 1; w <= waves; w++) {
    const inWave = jobs.filter((j) => j.wave === w && j.state === 'pending');
    plan.onProgress(jobs, w);
    await pool(inWave, plan.parallel ?? 100, async (j) => {
      const t = byMac.get(j.mac)!;
      if (t.address === undefined) return;
      j.state = 'sent';
      j.sentAt = plan.now();
      plan.onProgress(jobs, w);
      const o = await plan.notify(t as WaveTarget);
      j.attempts = o.attempts;
      j.status = o.status;
      j.reason = o.reason;
      if (o.result !== 'ok') {
        j.state = o.result;
        plan.onProgress(jobs, w);
        return;
      }
      j.state = 'answered';
      j.answeredAt = plan.now();
      plan.onProgress(jobs, w);
      if (!waitForRefetch) return;
      const at = await plan.waitRefetch(j.mac, j.sentAt, plan.refetchTimeoutMs);
      if (at === undefined) {
        j.state = 'ADMIN_NOTIFY_NO_REFETCH';
        j.reason = `no configuration fetch within ${plan.refetchTimeoutMs} ms`;
      } else {
        j.state = 'refetched';
        j.refetchedAt = at;
      }
      plan.onProgress(jobs, w);
    });
  }
  plan.onProgress(jobs, waves);
}
