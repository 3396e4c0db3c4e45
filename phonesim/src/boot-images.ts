/**
 * The image steps of a boot: the bootROM (SoundPoint / SoundStation IP) and the application. The .ver file next
 * to the image first; without one, the image is downloaded and compared with the flash by checksum (flash.ts).
 */

import type { BootSession } from './boot-session.ts';
import { parseVersionFile, versionFileFor } from './flash.ts';

export async function image(
  s: BootSession,
  kind: 'app' | 'bootrom',
  ref: string,
): Promise<void> {
  const { flash } = s;
  const step = kind === 'app' ? 'application' : 'bootrom';
  const current = kind === 'app' ? flash.appVersion : flash.bootVersion;
  const ver = await s.fetch(
    `${step}-version`,
    versionFileFor(ref, kind),
    'Application',
    true,
  );
  const serverVersion = ver ? parseVersionFile(ver.data) : undefined;
  if (serverVersion !== undefined && serverVersion === current) {
    s.record(
      step,
      'skipped',
      performance.now(),
      0,
      `flash already has ${current}`,
    );
    return;
  }
  const img = await s.fetch(
    step,
    ref,
    kind === 'app' ? 'Application' : 'Updater',
    kind === 'bootrom',
    false,
  );
  if (!img) return; // no bootROM offered
  const installed = kind === 'app' ? flash.appCrc32 : flash.bootromCrc32;
  if (serverVersion === undefined && installed === img.crc32) return;
  if (kind === 'app') {
    flash.appCrc32 = img.crc32;
    flash.appVersion = serverVersion ?? flash.appVersion;
    s.upgraded.app = true;
  } else {
    flash.bootromCrc32 = img.crc32;
    flash.bootVersion = serverVersion ?? flash.bootVersion;
    s.upgraded.bootrom = true;
  }
}
