/**
 * The HTTP User-Agent of a Polycom phone (facts §7):
 *   FileTransport PolycomVVX-VVX_410-UA/5.9.7.4477 Type/Application
 *   FileTransport PolycomSoundStationIP-SSIP_6000-UA/5.0.3.1667 Type/Updater
 *   FileTransport PolycomSoundPointIP-SPIP_335-UA/3.2.1.0078
 *   FileTransport PolycomVVX-VVX_310-UA/4.1.4.7430_0004f2abcdef      (device.prov.tagSerialNo=1)
 * The version is the bootROM/updater's during the early requests and the application's later; Type/ says
 * which (absent on SoundPoint: a version below 4 with no Type is taken as it comes).
 */
export interface UserAgentInfo {
  /** Family word: VVX, SoundPointIP, SoundStationIP, RealPresenceTrio, Edge. */
  readonly family: string;
  /** UA token: VVX_410, SPIP_335. */
  readonly uaToken: string;
  /** Catalog token without underscore: VVX410, SPIP335. */
  readonly model: string;
  readonly version: string;
  /** 'application' | 'updater' | undefined when the UA does not say. */
  readonly stage: 'application' | 'updater' | undefined;
  /** MAC appended with tagSerialNo, 12 lower-case hex digits. */
  readonly serial: string | undefined;
}

const UA =
  /^FileTransport Poly(?:com)?([A-Za-z]+)-([A-Za-z0-9_]+?)-UA\/([0-9][0-9.]{0,30})(?:_([0-9A-Fa-f]{12}))?(?:\s+Type\/(\w+))?/;

/** Never throws; undefined for anything that is not a Polycom FileTransport agent. */
export function parseUserAgent(
  ua: string | undefined,
): UserAgentInfo | undefined {
  if (ua === undefined || ua.length > 512) return undefined;
  const m = UA.exec(ua.trim());
  if (!m) return undefined;
  const type = m[5]?.toLowerCase();
  return {
    family: m[1]!,
    uaToken: m[2]!,
    model: m[2]!.replace(/_/g, ''),
    version: m[3]!.replace(/\.$/, ''),
    stage:
      type === 'application'
        ? 'application'
        : type === 'updater'
          ? 'updater'
          : undefined,
    serial: m[4]?.toLowerCase(),
  };
}
