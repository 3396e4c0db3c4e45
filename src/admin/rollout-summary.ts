/** The rollout picture's data: per model, how many phones are done / in progress / failed / not yet. */
import type { ApplianceModel } from '../config/model.ts';
import type { PhoneView, RolloutState } from '../inventory/types.ts';

export interface ModelRollout {
  readonly model: string;
  /** Offered versions (usually one; two when a site or a phone pins another release). */
  readonly offered: string[];
  readonly counts: Record<RolloutState, number>;
  /** Listed in appliance.yaml with this model but never seen (counted in not-yet). */
  readonly unseen: number;
  readonly total: number;
}

export function rolloutByModel(phones: readonly PhoneView[], model: ApplianceModel): ModelRollout[] {
  const rows = new Map<string, { offered: Set<string>; counts: Record<RolloutState, number>; unseen: number }>();
  const row = (m: string) => {
    let r = rows.get(m);
    if (!r) { r = { offered: new Set(), counts: { done: 0, 'in-progress': 0, failed: 0, 'not-yet': 0, unknown: 0 }, unseen: 0 }; rows.set(m, r); }
    return r;
  };
  const seen = new Set<string>();
  for (const p of phones) {
    seen.add(p.mac);
    const r = row(p.model ?? 'unknown');
    r.counts[p.rollout]++;
    if (p.offeredVersion) r.offered.add(p.offeredVersion);
  }
  for (const [mac, p] of model.phones) {
    if (seen.has(mac) || p.model === undefined) continue;
    const r = row(p.model);
    r.counts['not-yet']++;
    r.unseen++;
  }
  return [...rows].sort(([a], [b]) => (a < b ? -1 : 1)).map(([m, r]) => ({ model: m, offered: [...r.offered].sort(), counts: r.counts, unseen: r.unseen, total: Object.values(r.counts).reduce((a, b) => a + b, 0) }));
}
