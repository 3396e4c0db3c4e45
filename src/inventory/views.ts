/**
 * Views over the phone list, for the admin API and the CLI: the filters of /api/phones and `appliance phones`
 * (exact site, model, state and rollout; `q` a case-insensitive substring of MAC, label, model, address, part
 * number, running version or site), and the rollout picture (per model, how many phones are done / in
 * progress / failed / not yet).
 */
import type { ApplianceModel } from '../config/model.ts';
import type { PhoneView, RolloutState } from './types.ts';

const str = (v: unknown): string | undefined =>
  typeof v === 'string' && v !== '' ? v : undefined;

export function filterPhones(
  phones: readonly PhoneView[],
  q: Record<string, unknown>,
): PhoneView[] {
  const text = str(q.q)?.toLowerCase();
  const site = str(q.site);
  const model = str(q.model);
  const state = str(q.state);
  const rollout = str(q.rollout);
  return phones.filter(
    (p) =>
      (site === undefined || p.site === site) &&
      (model === undefined || p.model === model) &&
      (state === undefined || p.state === state) &&
      (rollout === undefined || p.rollout === rollout) &&
      (text === undefined ||
        [
          p.mac,
          p.label,
          p.model,
          p.address,
          p.partNumber,
          p.runningVersion,
          p.site,
        ].some((v) => v?.toLowerCase().includes(text))),
  );
}

export interface ModelRollout {
  readonly model: string;
  /** Offered versions (usually one; two when a site or a phone pins another release). */
  readonly offered: string[];
  readonly counts: Record<RolloutState, number>;
  /** Listed in appliance.yaml with this model but never seen (counted in not-yet). */
  readonly unseen: number;
  readonly total: number;
}

export function rolloutByModel(
  phones: readonly PhoneView[],
  model: ApplianceModel,
): ModelRollout[] {
  const rows = new Map<
    string,
    {
      offered: Set<string>;
      counts: Record<RolloutState, number>;
      unseen: number;
    }
  >();
  const row = (m: string) => {
    let r = rows.get(m);
    if (!r) {
      r = {
        offered: new Set(),
        counts: {
          done: 0,
          'in-progress': 0,
          failed: 0,
          'not-yet': 0,
          unknown: 0,
        },
        unseen: 0,
      };
      rows.set(m, r);
    }
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
  return [...rows]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([m, r]) => ({
      model: m,
      offered: [...r.offered].sort(),
      counts: r.counts,
      unseen: r.unseen,
      total: Object.values(r.counts).reduce((a, b) => a + b, 0),
    }));
}
