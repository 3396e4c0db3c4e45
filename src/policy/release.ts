/**
 * Which firmware a phone runs, and which image and bootROM files that means. The one home of the rule:
 * the phone's own pin, else its site's per-model choice, else the model's, else the default release.
 * The renderer, the tree, the CLI, the inventory's rollout and the firmware check all ask here.
 */
import type {
  ApplianceModel,
  FirmwareRelease,
  ModelInfo,
  Phone,
  Site,
} from '../config/model.ts';
import type { Mac } from '../shared/mac.ts';

/** What is known of a phone: any of its MAC (then its appliance.yaml entry fills the rest), model token, site. */
export interface PhoneRef {
  readonly mac?: Mac | undefined;
  readonly model?: string | undefined;
  readonly site?: string | undefined;
}

export interface ResolvedPhone {
  readonly entry: Phone | undefined;
  /** Catalog model token: what the request says, else the phone's entry. */
  readonly token: string | undefined;
  readonly info: ModelInfo | undefined;
  readonly site: Site | undefined;
}

export function resolvePhone(
  model: ApplianceModel,
  ref: PhoneRef,
): ResolvedPhone {
  const entry = ref.mac ? model.phones.get(ref.mac) : undefined;
  const token = ref.model ?? entry?.model;
  const siteName = ref.site ?? entry?.site;
  return {
    entry,
    token,
    info: token ? model.models.get(token) : undefined,
    site: siteName !== undefined ? model.sites.get(siteName) : undefined,
  };
}

/** The release a phone runs: pin → site per-model → model → default. */
export function releaseFor(
  model: ApplianceModel,
  ref: PhoneRef,
): FirmwareRelease | undefined {
  const p = resolvePhone(model, ref);
  const name =
    p.entry?.firmware ??
    (p.token && p.site?.firmware[p.token]) ??
    p.info?.firmware ??
    model.defaultFirmware;
  return name ? model.firmware.get(name) : undefined;
}

/** The application image a model downloads from a release: a split release's sip.ld is <part>.sip.ld. */
export function imageFor(
  release: FirmwareRelease,
  info: ModelInfo | undefined,
): string {
  return release.image === 'sip.ld' && info
    ? `${info.partNumber}.sip.ld`
    : release.image;
}

/** APP_FILE_PATH: the image path a phone is told to fetch (the phone substitutes its part number into sip.ld). */
export const appFilePath = (release: FirmwareRelease | undefined): string =>
  release ? `${release.folder}/${release.image}` : 'sip.ld';

const BOOTROM = /^(\d{4}-\d{5}-\d{3})\.bootrom\.ld$/;

/**
 * A SoundPoint/SoundStation bootROM (<part>.bootrom.ld), asked for at the site folder's root, is the one in
 * the release folder of the model with that part number.
 */
export function bootromFor(
  model: ApplianceModel,
  site: string | undefined,
  name: string,
): { release: FirmwareRelease; file: string } | undefined {
  const m = BOOTROM.exec(name);
  if (!m) return undefined;
  const info = [...model.models.values()].find((x) => x.partNumber === m[1]);
  const release = info
    ? releaseFor(model, { model: info.model, site })
    : undefined;
  return release ? { release, file: name } : undefined;
}

/** The bootROM names a site serves: one per model that carries one and runs a release there. */
export function bootromsAt(
  model: ApplianceModel,
  site: string | undefined,
): { release: FirmwareRelease; file: string }[] {
  const out: { release: FirmwareRelease; file: string }[] = [];
  for (const info of model.models.values()) {
    const release = info.hasBootrom
      ? releaseFor(model, { model: info.model, site })
      : undefined;
    if (release) out.push({ release, file: `${info.partNumber}.bootrom.ld` });
  }
  return out;
}
