/**
 * The phone list's filters, shared by the admin API (/api/phones?q=&site=&model=&state=&rollout=) and
 * `appliance phones`: exact site, model, state and rollout; `q` is a case-insensitive substring of MAC, label,
 * model, address, part number, running version or site.
 */
import type { PhoneView } from './types.ts';

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

export function filterPhones(phones: readonly PhoneView[], q: Record<string, unknown>): PhoneView[] {
  const text = str(q.q)?.toLowerCase();
  const site = str(q.site);
  const model = str(q.model);
  const state = str(q.state);
  const rollout = str(q.rollout);
  return phones.filter((p) => (site === undefined || p.site === site) && (model === undefined || p.model === model)
    && (state === undefined || p.state === state) && (rollout === undefined || p.rollout === rollout)
    && (text === undefined || [p.mac, p.label, p.model, p.address, p.partNumber, p.runningVersion, p.site].some((v) => v !== undefined && v.toLowerCase().includes(text))));
}
