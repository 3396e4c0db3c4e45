/**
 * Firmware rollout: what the model offers a phone (policy/release.ts: releaseFor) versus
 * what the phone reports running.
 *   done         running version = offered version
 *   failed       an image download failed and has not succeeded since
 *   in-progress  the image was fetched after the phone last reported its version (it is flashing / rebooting)
 *   not-yet      anything else with an offered release
 *   unknown      model unknown, or nothing offered
 */
import type { ApplianceModel } from '../config/model.ts';
import { releaseFor, resolvePhone } from '../policy/release.ts';
import type { Mac } from '../shared/mac.ts';
import type { PhoneRecord, RolloutState } from './types.ts';

export interface Offered {
  readonly release: string;
  readonly version: string;
}

export function offeredFirmware(
  model: ApplianceModel,
  p: Pick<PhoneRecord, 'mac' | 'site' | 'model'>,
): Offered | undefined {
  const ref = { mac: p.mac as Mac, model: p.model, site: p.site };
  if (resolvePhone(model, ref).token === undefined) return undefined;
  const rel = releaseFor(model, ref);
  return rel ? { release: rel.name, version: rel.version } : undefined;
}

/** Compare dotted versions numerically where both sides are numbers (5.9.7.4477 vs 5.9.7.04477). */
export function sameVersion(a: string, b: string): boolean {
  if (a === b) return true;
  const pa = a.split('.');
  const pb = b.split('.');
  if (pa.length !== pb.length) return false;
  return pa.every((x, i) =>
    /^\d+$/.test(x) && /^\d+$/.test(pb[i]!)
      ? Number(x) === Number(pb[i])
      : x === pb[i],
  );
}

export function rolloutState(
  p: PhoneRecord,
  offered: Offered | undefined,
  versionSeenAt: number | undefined,
): RolloutState {
  if (!offered) return 'unknown';
  if (
    p.runningVersion !== undefined &&
    sameVersion(p.runningVersion, offered.version)
  )
    return 'done';
  if (
    p.imageFailure !== undefined ||
    (p.lastImage && p.lastImage.result !== 'ok')
  )
    return 'failed';
  if (
    p.lastImage &&
    (versionSeenAt === undefined || p.lastImage.at >= versionSeenAt)
  )
    return 'in-progress';
  return 'not-yet';
}
