/**
 * The master configuration file (000000000000.cfg, or <MAC>.cfg for a phone pinned to its own firmware):
 * <APPLICATION APP_FILE_PATH=… CONFIG_FILES=… directories…> with one <APPLICATION_<MODEL>/> element per model
 * whose firmware or files differ from the generic attributes, so a mixed fleet boots from one file.
 * CONFIG_FILES lists the most specific file first: Polycom phones let the leftmost file win.
 */
import type { ApplianceModel, FirmwareRelease, ModelInfo, Site } from '../../config/model.ts';
import { AREAS, FILES } from '../layout.ts';
import { XML_DECL, comment, element } from './xml.ts';

/** The release a model runs at a site: the site's choice, else the model's, else the default. */
export function releaseFor(model: ApplianceModel, site: Site | undefined, token: string | undefined): FirmwareRelease | undefined {
  const info = token ? model.models.get(token) : undefined;
  const name = (token && site?.firmware[token]) ?? info?.firmware ?? model.defaultFirmware;
  return name ? model.firmware.get(name) : undefined;
}

const appFilePath = (r: FirmwareRelease | undefined): string => (r ? `${r.folder}/${r.image}` : 'sip.ld');

function configFiles(r: FirmwareRelease | undefined, info: ModelInfo | undefined): string {
  const files: string[] = [FILES.phoneParamsToken];
  if (info && Object.keys(info.parameters).length > 0) files.push(FILES.modelParams(info.model));
  files.push(FILES.site, FILES.common);
  for (const f of r?.configFiles ?? []) files.push(`${r!.folder}/${f}`);
  return files.join(', ');
}

function directories(): [string, string][] {
  return [
    ['MISC_FILES', ''],
    ['LOG_FILE_DIRECTORY', AREAS.LOG_FILE_DIRECTORY.dir],
    ['OVERRIDES_DIRECTORY', AREAS.OVERRIDES_DIRECTORY.dir],
    ['CONTACTS_DIRECTORY', AREAS.CONTACTS_DIRECTORY.dir],
    ['LICENSE_DIRECTORY', ''],
    ['USER_PROFILES_DIRECTORY', ''],
    ['CALL_LISTS_DIRECTORY', AREAS.CALL_LISTS_DIRECTORY.dir],
  ];
}

export function renderMaster(model: ApplianceModel, site: Site | undefined): string {
  const generic = releaseFor(model, site, undefined);
  const genericApp = appFilePath(generic);
  const genericFiles = configFiles(generic, undefined);
  const children: string[] = [];
  // Code-unit order (for the catalog's names the same order as localeCompare; the order of these elements means
  // nothing to a phone), so rendering never loads ICU's collation data (≈ 2 MB resident for the life of the process).
  for (const info of [...model.models.values()].sort((a, b) => (a.model < b.model ? -1 : a.model > b.model ? 1 : 0))) {
    const r = releaseFor(model, site, info.model);
    const app = appFilePath(r);
    const files = configFiles(r, info);
    if (app === genericApp && files === genericFiles) continue;
    children.push(element(`APPLICATION_${info.model}`, [[`APP_FILE_PATH_${info.model}`, app], [`CONFIG_FILES_${info.model}`, files]], '  '));
  }
  const title = site ? `Master configuration for site "${site.name}", rendered from appliance.yaml: edit that, not this` : 'Master configuration, rendered from appliance.yaml: edit that, not this';
  return [XML_DECL, comment(title), element('APPLICATION', [['APP_FILE_PATH', genericApp], ['CONFIG_FILES', genericFiles], ...directories()], '', false), ...children, '</APPLICATION>', ''].join('\n');
}

/** <MAC>.cfg for a phone pinned to a release: the generic attributes only, for its one model. */
export function renderPhoneMaster(model: ApplianceModel, site: Site | undefined, token: string | undefined, release: FirmwareRelease): string {
  const info = token ? model.models.get(token) : undefined;
  return [XML_DECL, comment('Master configuration for one phone pinned to its own firmware, rendered from appliance.yaml'),
    element('APPLICATION', [['APP_FILE_PATH', appFilePath(release)], ['CONFIG_FILES', configFiles(release, info)], ...directories()], '', false), '</APPLICATION>', ''].join('\n');
}
