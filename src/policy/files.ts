/**
 * Which files a phone reads, in the order it reads them: the master file, then CONFIG_FILES left to right
 * (leftmost wins), then its contact directory. The one home of the names and of the order.
 */
import type {
  ApplianceModel,
  FirmwareRelease,
  ModelInfo,
} from '../config/model.ts';
import type { Mac } from '../shared/mac.ts';
import { releaseFor, resolvePhone } from './release.ts';

export const FILES = {
  master: '000000000000.cfg',
  common: 'common.cfg',
  site: 'site.cfg',
  directory: '000000000000-directory.xml',
  /** Per-phone parameters; [PHONE_MAC_ADDRESS] is substituted by the phone. */
  phoneParamsToken: '[PHONE_MAC_ADDRESS]-appliance.cfg',
  phoneParamsSuffix: '-appliance.cfg',
  modelParams: (model: string): string => `model-${model}.cfg`,
  /** A phone's own contact directory (read before the shared one; its edits are uploaded to it). */
  phoneDirectory: (mac: string): string => `${mac}-directory.xml`,
  /** The master file of a phone pinned to its own release. */
  phoneMaster: (mac: string): string => `${mac}.cfg`,
} as const;

/** A model has its own parameter file only when appliance.yaml gives it parameters. */
export const hasModelParams = (
  info: ModelInfo | undefined,
): info is ModelInfo =>
  info !== undefined && Object.keys(info.parameters).length > 0;

/** CONFIG_FILES for a model on a release, most specific first; a legacy release's own files come last. */
export function configFilesFor(
  release: FirmwareRelease | undefined,
  info: ModelInfo | undefined,
): string[] {
  const files: string[] = [FILES.phoneParamsToken];
  if (hasModelParams(info)) files.push(FILES.modelParams(info.model));
  files.push(FILES.site, FILES.common);
  for (const f of release?.configFiles ?? [])
    files.push(`${release!.folder}/${f}`);
  return files;
}

/** Every file one phone reads, in order, relative to its site's folder. */
export function phoneFilesFor(
  model: ApplianceModel,
  mac: Mac,
): { folder: string; files: string[] } {
  const p = resolvePhone(model, { mac });
  const release = releaseFor(model, { mac });
  const params = `${mac}${FILES.phoneParamsSuffix}`;
  const files = [p.entry?.firmware ? FILES.phoneMaster(mac) : FILES.master];
  for (const f of configFilesFor(release, p.info))
    files.push(f === FILES.phoneParamsToken ? params : f);
  // A phone listed in appliance.yaml has its own directory, which it reads instead of the shared one.
  files.push(p.entry ? FILES.phoneDirectory(mac) : FILES.directory);
  return { folder: p.site?.bootServer.path ?? '', files };
}
