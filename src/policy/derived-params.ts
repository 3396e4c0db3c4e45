/**
 * Parameters the appliance derives from appliance.yaml settings that are not parameters themselves; an
 * explicit parameter of the same name in appliance.yaml wins.
 */
import type { Parameters, Site } from '../config/model.ts';

/** site.cfg: the site's own parameters over what its settings imply (directory.readOnly → dir.local.readonly). */
export function siteParameters(site: Site | undefined): Parameters {
  if (!site) return {};
  const derived: Record<string, string> = {};
  if (site.directory.readOnly) derived['dir.local.readonly'] = '1';
  return { ...derived, ...site.parameters };
}
