/**
 * A phone's flash: what survives a reboot. The installed application and bootROM (version text and image
 * CRC-32), the boot server last used (or set statically), the log directory of the last master config, and
 * the configuration cached from the last successful boot.
 *
 * Version check (chosen, see README): the phone first reads sip.ver / bootrom.ver next to the image; when
 * that file exists its text is the server's version and the image is downloaded only if it differs from
 * the flash's version. Without a .ver file the image is downloaded and installed only if its CRC-32
 * differs from the installed image's (the "copy on the boot server is different" rule of [AG31-A]).
 */
export interface Flash {
  appVersion: string;
  appCrc32: string | undefined;
  bootVersion: string;
  bootromCrc32: string | undefined;
  bootServer: string | undefined;
  logDir: string;
  cachedParams: Map<string, string>;
  boots: number;
}

export function factoryFlash(appVersion: string, bootVersion: string): Flash {
  return {
    appVersion,
    appCrc32: undefined,
    bootVersion,
    bootromCrc32: undefined,
    bootServer: undefined,
    logDir: '',
    cachedParams: new Map(),
    boots: 0,
  };
}

/** The .ver file next to an image: "ucs/3111-46162-001.sip.ld" → "ucs/sip.ver"; "x/2345-12600-001.bootrom.ld" → "x/bootrom.ver". */
export function versionFileFor(
  imagePath: string,
  kind: 'app' | 'bootrom',
): string {
  const slash = imagePath.lastIndexOf('/');
  return `${imagePath.slice(0, slash + 1)}${kind === 'app' ? 'sip.ver' : 'bootrom.ver'}`;
}

/** First line of a .ver file, trimmed; undefined when empty. */
export function parseVersionFile(data: Buffer): string | undefined {
  const line = data.toString('latin1').split(/\r?\n/)[0]?.trim();
  return line ? line : undefined;
}
