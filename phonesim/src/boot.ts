/**
 * One simulated phone's boot, in the order observed from a VVX 500 (facts §5.2) with the SoundPoint bootROM
 * step of [AG31-A]: DHCP (VLAN re-DHCP, boot server per mode, INFORM), boot log upload, <MAC>.cfg then
 * 000000000000.cfg, bootROM, application image (only if the server's version differs from the flash),
 * CONFIG_FILES left to right, -phone.cfg, -web.cfg, the language's dictionary, syslog lines (when configured),
 * licenses, directory, call list; then the app log and call list uploads, an optional user change
 * (-phone.cfg upload) and an optional DHCP renewal. The stages: boot-network.ts, boot-downloads.ts,
 * boot-uploads.ts; the session they share: boot-session.ts.
 */

import {
  configuration,
  dictionary,
  directoryAndLists,
  masterConfig,
} from './boot-downloads.ts';
import { image } from './boot-images.ts';
import { dhcpAndBootServer, renewLease } from './boot-network.ts';
import {
  type BootEnv,
  BootSession,
  type PhoneSettings,
  StepFailed,
} from './boot-session.ts';
import { syslog, uploads } from './boot-uploads.ts';
import { simError } from './errors.ts';
import type { Flash } from './flash.ts';
import { applicationImagePath } from './master-config.ts';
import type { PhoneReport } from './report.ts';

export async function bootOnce(
  p: PhoneSettings,
  flash: Flash,
  env: BootEnv,
): Promise<PhoneReport> {
  const s = new BootSession(p, flash, env);
  try {
    await dhcpAndBootServer(s);
    const master = await masterConfig(s);
    // bootROM (SoundPoint / SoundStation IP), then the application.
    if (p.id.model.hasBootrom)
      await image(s, 'bootrom', `${p.id.model.partNumber}.bootrom.ld`);
    if (master.appFilePath !== '')
      await image(
        s,
        'app',
        applicationImagePath(master.appFilePath, p.id.model.partNumber),
      );
    const { files, overrides } = await configuration(s, master);
    await dictionary(s);
    await syslog(s);
    const calls = await directoryAndLists(s, master);
    await uploads(s, master, files, overrides, calls);
    await renewLease(s);
    flash.logDir = master.logDir;
    flash.cachedParams = s.effective;
    flash.boots++;
    return s.report(undefined);
  } catch (e) {
    if (e instanceof StepFailed) {
      if (s.steps[s.steps.length - 1]?.status !== 'failed')
        s.record(
          e.step,
          'failed',
          performance.now(),
          0,
          `${e.error.code}: ${e.error.message}`,
        );
      return s.report(e);
    }
    return s.report(
      new StepFailed(
        'internal',
        simError('SIM_PROTOCOL', (e as Error).stack ?? String(e)),
      ),
    );
  } finally {
    await s.closeClients();
  }
}
