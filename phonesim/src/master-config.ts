/**
 * The master configuration file (000000000000.cfg or <MAC>.cfg) as a phone reads it: the root <APPLICATION>
 * element's generic attributes, overridden for this phone's model by APP_FILE_PATH_<MODEL> /
 * CONFIG_FILES_<MODEL> (on an <APPLICATION_<MODEL>> child or anywhere else), with the substitution tokens
 * replaced. Pure; never throws.
 */
import { err, ok, type Result } from '../../src/shared/result.ts';
import { type SimError, simError } from './errors.ts';
import { scanXml } from './xml.ts';

export interface MasterConfig {
  /** APP_FILE_PATH after model override and substitution ("" when absent). */
  readonly appFilePath: string;
  /** CONFIG_FILES split on commas, in order (leftmost wins), substituted. */
  readonly configFiles: readonly string[];
  readonly miscFiles: readonly string[];
  readonly logDir: string;
  readonly overridesDir: string;
  readonly contactsDir: string;
  readonly licenseDir: string;
  readonly callListsDir: string;
  readonly userProfilesDir: string;
  /** Every attribute of the root after substitution, for reports. */
  readonly attributes: Readonly<Record<string, string>>;
}

export interface PhoneIdentity {
  /** 12 lower-case hex digits. */
  readonly mac: string;
  /** [PHONE_MODEL] token: VVX410, SPIP650. */
  readonly model: string;
  readonly partNumber: string;
}

/** [PHONE_MAC_ADDRESS] and [MACADDRESS] → 0004f28062d6, [PHONE_MODEL] → VVX410, [PHONE_PART_NUMBER] → 3111-46162-001. */
export function substitute(value: string, id: PhoneIdentity): string {
  return value
    .replace(/\[PHONE_MAC_ADDRESS\]/gi, id.mac)
    .replace(/\[MACADDRESS\]/gi, id.mac)
    .replace(/\[PHONE_MODEL\]/gi, id.model)
    .replace(/\[PHONE_PART_NUMBER\]/gi, id.partNumber);
}

/** "a.cfg, b.cfg,,c.cfg" → ["a.cfg", "b.cfg", "c.cfg"]. */
export const splitList = (s: string): string[] =>
  s
    .split(',')
    .map((x) => x.trim())
    .filter((x) => x !== '');

export function parseMasterConfig(
  xml: string,
  id: PhoneIdentity,
): Result<MasterConfig, SimError> {
  const scanned = scanXml(xml);
  if (!scanned.ok) return scanned;
  const root = scanned.value[0]!;
  if (root.name !== 'APPLICATION')
    return err(
      simError(
        'SIM_MASTER_INVALID',
        `root element is <${root.name}>, expected <APPLICATION>`,
      ),
    );
  const generic = new Map<string, string>();
  for (const [k, v] of root.attrs) if (!generic.has(k)) generic.set(k, v);
  // Model-specific attributes may sit on <APPLICATION_<MODEL>> or on any element; the first occurrence wins.
  const suffix = `_${id.model}`.toUpperCase();
  const specific = new Map<string, string>();
  for (const el of scanned.value) {
    for (const [k, v] of el.attrs) {
      if (k.toUpperCase().endsWith(suffix)) {
        const base = k.slice(0, k.length - suffix.length);
        if (!specific.has(base)) specific.set(base, v);
      }
    }
  }
  const pick = (name: string): string =>
    substitute((specific.get(name) ?? generic.get(name) ?? '').trim(), id);
  const attributes: Record<string, string> = {};
  for (const [k, v] of generic) attributes[k] = substitute(v, id);
  for (const [k, v] of specific) attributes[k] = substitute(v, id);
  return ok({
    appFilePath: pick('APP_FILE_PATH'),
    configFiles: splitList(pick('CONFIG_FILES')),
    miscFiles: splitList(pick('MISC_FILES')),
    logDir: pick('LOG_FILE_DIRECTORY'),
    overridesDir: pick('OVERRIDES_DIRECTORY'),
    contactsDir: pick('CONTACTS_DIRECTORY'),
    licenseDir: pick('LICENSE_DIRECTORY'),
    callListsDir: pick('CALL_LISTS_DIRECTORY'),
    userProfilesDir: pick('USER_PROFILES_DIRECTORY'),
    attributes,
  });
}

/**
 * The application image a phone asks for. A split-download name (sip.ld, or any *.sip.ld) gets the phone's
 * own part number and "." prefixed to its file name, as observed from a VVX 500 (facts §5.2):
 * "ucs/sip.ld" → "ucs/3111-46162-001.sip.ld". A legacy combined name (sip_212.ld) is fetched as-is.
 */
export function applicationImagePath(
  appFilePath: string,
  partNumber: string,
): string {
  const slash = appFilePath.lastIndexOf('/');
  const dir = appFilePath.slice(0, slash + 1);
  const base = appFilePath.slice(slash + 1);
  if (base === 'sip.ld' || base.endsWith('.sip.ld'))
    return `${dir}${partNumber}.${base}`;
  return appFilePath;
}

/** Join a directory attribute ("", "logs", "logs/") and a file name. */
export function inDir(dir: string, name: string): string {
  const d = dir
    .trim()
    .replace(/\\/g, '/')
    .replace(/^\/+|\/+$/g, '');
  return d === '' ? name : `${d}/${name}`;
}
