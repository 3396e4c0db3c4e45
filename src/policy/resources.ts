/**
 * Resource files of a release (language dictionaries, SoundPointIPWelcome.wav, LoudRing.wav, backgrounds,
 * sip.ver …) are asked for at the provisioning root (facts §4): they come from the folder of the release the
 * asking phone runs. The phone is known by its MAC (in the file name, else from its lease), else by the
 * model its User-Agent names; an unknown phone gets the default release.
 */
import type { ApplianceModel, FirmwareRelease } from '../config/model.ts';
import type { Mac } from '../shared/mac.ts';
import { releaseFor } from './release.ts';
import { parseUserAgent } from './user-agent.ts';

export interface Requester {
  readonly mac?: Mac | undefined;
  readonly userAgent?: string | undefined;
}

const MAC_IN_NAME = /^([0-9a-f]{12})[-.]/;

export function resourceFor(
  model: ApplianceModel,
  site: string | undefined,
  name: string,
  who: Requester | undefined,
): FirmwareRelease | undefined {
  const mac = who?.mac ?? (MAC_IN_NAME.exec(name)?.[1] as Mac | undefined);
  const token =
    mac !== undefined && model.phones.get(mac)?.model !== undefined
      ? undefined
      : parseUserAgent(who?.userAgent)?.model;
  return releaseFor(model, {
    mac,
    model: token && model.models.has(token) ? token : undefined,
    site,
  });
}
