/**
 * The master configuration file (000000000000.cfg, or <MAC>.cfg for a phone pinned to its own firmware):
 * <APPLICATION APP_FILE_PATH=… CONFIG_FILES=… directories…> with one <APPLICATION_<MODEL>/> element per model
 * whose firmware or files differ from the generic attributes, so a mixed fleet boots from one file.
 * CONFIG_FILES lists the most specific file first: Polycom phones let the leftmost file win.
 */
import type {
  ApplianceModel,
  FirmwareRelease,
  Site,
} from '../../config/model.ts';
import { configFilesFor } from '../../policy/files.ts';
import { appFilePath, releaseFor } from '../../policy/release.ts';
import { AREAS } from '../layout.ts';
import { comment, element, XML_DECL } from './xml.ts';

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

export function renderMaster(
  model: ApplianceModel,
  site: Site | undefined,
): string {
  const generic = releaseFor(model, { site: site?.name });
  const genericApp = appFilePath(generic);
  const genericFiles = configFilesFor(generic, undefined).join(', ');
  const children: string[] = [];
  // Code-unit order (for the catalog's names the same order as localeCompare; the order of these elements means
  // nothing to a phone), so rendering never loads ICU's collation data (≈ 2 MB resident for the life of the process).
  for (const info of [...model.models.values()].sort((a, b) =>
    a.model < b.model ? -1 : a.model > b.model ? 1 : 0,
  )) {
    const r = releaseFor(model, { site: site?.name, model: info.model });
    const app = appFilePath(r);
    const files = configFilesFor(r, info).join(', ');
    if (app === genericApp && files === genericFiles) continue;
    children.push(
      element(
        `APPLICATION_${info.model}`,
        [
          [`APP_FILE_PATH_${info.model}`, app],
          [`CONFIG_FILES_${info.model}`, files],
        ],
        '  ',
      ),
    );
  }
  const title = site
    ? `Master configuration for site "${site.name}", rendered from appliance.yaml: edit that, not this`
    : 'Master configuration, rendered from appliance.yaml: edit that, not this';
  return [
    XML_DECL,
    comment(title),
    element(
      'APPLICATION',
      [
        ['APP_FILE_PATH', genericApp],
        ['CONFIG_FILES', genericFiles],
        ...directories(),
      ],
      '',
      false,
    ),
    ...children,
    '</APPLICATION>',
    '',
  ].join('\n');
}

/** <MAC>.cfg for a phone pinned to a release: the generic attributes only, for its one model. */
export function renderPhoneMaster(
  model: ApplianceModel,
  token: string | undefined,
  release: FirmwareRelease,
): string {
  const info = token ? model.models.get(token) : undefined;
  return [
    XML_DECL,
    comment(
      'Master configuration for one phone pinned to its own firmware, rendered from appliance.yaml',
    ),
    element(
      'APPLICATION',
      [
        ['APP_FILE_PATH', appFilePath(release)],
        ['CONFIG_FILES', configFilesFor(release, info).join(', ')],
        ...directories(),
      ],
      '',
      false,
    ),
    '</APPLICATION>',
    '',
  ].join('\n');
}
