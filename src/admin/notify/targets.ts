/**
 * Which phones a check-sync selector means: a MAC, "all", a site name, a model token (VVX410), or the explicit
 * forms site:NAME / model:NAME. Addresses come from the inventory (lease or last address seen), else from a
 * fixed address in appliance.yaml. Pure over its inputs.
 */
import type { ApplianceModel } from '../../config/model.ts';
import type { PhoneView } from '../../inventory/types.ts';
import { parseMac } from '../../shared/mac.ts';
import { err, ok, type Result } from '../../shared/result.ts';

export interface Target {
  readonly mac: string;
  readonly address: string | undefined;
}
export interface SelectorError {
  readonly code: 'ADMIN_NOTIFY_NO_TARGET';
  readonly message: string;
}

export function selectTargets(
  selector: string,
  phones: readonly PhoneView[],
  model: ApplianceModel,
): Result<Target[], SelectorError> {
  const s = selector.trim();
  const seen = new Map(phones.map((p) => [p.mac, p]));
  const addressOf = (mac: string): string | undefined =>
    seen.get(mac)?.address ?? model.phones.get(mac as never)?.address;
  // Phones known from either side: seen by the inventory, or listed in appliance.yaml.
  const all = new Map<
    string,
    { site: string | undefined; model: string | undefined }
  >();
  for (const [mac, p] of model.phones)
    all.set(mac, { site: p.site, model: p.model });
  for (const p of phones)
    all.set(p.mac, {
      site: p.site ?? all.get(p.mac)?.site,
      model: p.model ?? all.get(p.mac)?.model,
    });
  const pick = (
    pred: (v: {
      site: string | undefined;
      model: string | undefined;
    }) => boolean,
  ): Target[] =>
    [...all]
      .filter(([, v]) => pred(v))
      .map(([mac]) => ({ mac, address: addressOf(mac) }))
      .sort((a, b) => (a.mac < b.mac ? -1 : 1));

  const mac = parseMac(s);
  if (mac.ok) {
    if (!all.has(mac.value))
      return err({
        code: 'ADMIN_NOTIFY_NO_TARGET',
        message: `phone ${mac.value} was never seen and is not in appliance.yaml`,
      });
    return ok([{ mac: mac.value, address: addressOf(mac.value) }]);
  }
  if (s === 'all') return ok(pick(() => true));
  const [kind, name] = s.includes(':')
    ? [s.slice(0, s.indexOf(':')), s.slice(s.indexOf(':') + 1)]
    : [undefined, s];
  if ((kind === undefined || kind === 'site') && model.sites.has(name))
    return ok(pick((v) => v.site === name));
  const models = new Set([
    ...model.models.keys(),
    ...[...all.values()].map((v) => v.model).filter((m) => m !== undefined),
  ]);
  if ((kind === undefined || kind === 'model') && models.has(name))
    return ok(pick((v) => v.model === name));
  return err({
    code: 'ADMIN_NOTIFY_NO_TARGET',
    message: `"${selector}" is not a MAC, "all", a site (${[...model.sites.keys()].join(', ')}) or a model seen (${[...models].join(', ') || 'none'})`,
  });
}
