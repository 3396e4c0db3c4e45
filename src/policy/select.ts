/**
 * The one selector: which classes apply to a request's labels (matchbox-style: every selector a class
 * names must match; a class naming none matches everything). Pure; the same for every protocol.
 */
import type { ClassMatch } from '../config/model.ts';
import type { Labels } from './labels.ts';

export function matches(match: ClassMatch, labels: Labels): boolean {
  if (match.model !== undefined && match.model !== labels.model) return false;
  if (match.family !== undefined && match.family !== labels.family)
    return false;
  if (match.partNumber !== undefined && match.partNumber !== labels.partNumber)
    return false;
  if (match.site !== undefined && match.site !== labels.site) return false;
  if (
    match.vendorClass !== undefined &&
    !(labels.vendorClass ?? '').includes(match.vendorClass)
  )
    return false;
  return true;
}

/** Classes that apply, in the order appliance.yaml lists them (later ones override earlier ones per option). */
export function selectClasses<C extends { readonly match: ClassMatch }>(
  classes: readonly C[],
  labels: Labels,
): C[] {
  return classes.filter((c) => matches(c.match, labels));
}
