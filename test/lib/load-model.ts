/**
 * An appliance.yaml loaded for a test or a launcher: its frozen model, or an Error whose message lists every
 * issue as file:line:col (the CLI's wording), so a broken fixture says where it is broken.
 */
import { formatIssue } from '../../src/config/issues.ts';
import { loadConfigFile } from '../../src/config/load.ts';
import type { ApplianceModel } from '../../src/config/model.ts';

export async function loadModel(path: string): Promise<ApplianceModel> {
  const loaded = await loadConfigFile(path);
  if (!loaded.ok)
    throw new Error(
      loaded.error.map((i) => `${i.code} ${formatIssue(i)}`).join('\n'),
    );
  return loaded.value.model;
}
