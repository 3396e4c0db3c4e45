/**
 * What a simulated phone sends once configured: syslog lines (when the parameters name a server), the app
 * log, the call list and an optional user change (-phone.cfg upload, which changes the effective parameters).
 */

import type { BootSession } from './boot-session.ts';
import { inDir, type MasterConfig } from './master-config.ts';
import { encodeOverrideFile, leftmostWins, type ParamMap } from './params.ts';
import { sendSyslog, syslogTarget } from './syslog-client.ts';

export /** Log lines to the syslog server the parameters name, as a phone starts sending once configured. */
async function syslog(s: BootSession): Promise<void> {
  const target = syslogTarget(s.effective);
  if (!target) return;
  const started = performance.now();
  const lines = [
    `cfg  |Prov|Configured ${s.effective.size} parameters`,
    `app  |Boot|Application ${s.flash.appVersion} started`,
  ];
  try {
    const bytes = await sendSyslog(target, s.mac, lines, s.localAddress);
    s.record(
      'syslog',
      'ok',
      started,
      bytes,
      `${lines.length} lines to ${target.host}`,
    );
  } catch (e) {
    s.record(
      'syslog',
      'failed',
      started,
      0,
      `SIM_PROTOCOL: ${(e as Error).message} (not fatal)`,
    ); // a real phone carries on
  }
}

export /** Uploads: app log (HEAD first over HTTP, as observed), call list, and a user's change. */
async function uploads(
  s: BootSession,
  master: MasterConfig,
  files: ParamMap[],
  overrides: [ParamMap, ParamMap],
  calls: Buffer | undefined,
): Promise<void> {
  const { mac, p, flash } = s;
  const appLogRef = inDir(master.logDir, `${mac}-app.log`);
  const { client } = s.clientFor(appLogRef);
  if (client.size) await client.size(appLogRef, 'Application');
  await s.upload(
    'app-log',
    appLogRef,
    Buffer.from(
      `${new Date().toISOString()} app ${flash.appVersion} started on ${mac}; ${s.effective.size} parameters\n`,
    ),
    'Application',
  );
  const callList = calls?.length
    ? calls
    : Buffer.from(
        `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<PHONE_CALLS><call type="placed" dest="1001" start="${new Date().toISOString()}" duration="PT30S"/></PHONE_CALLS>\n`,
      );
  await s.upload(
    'calls-upload',
    inDir(master.callListsDir, `${mac}-calls.xml`),
    callList,
    'Application',
  );
  if (p.userChange && p.userChange.size > 0) {
    const merged = leftmostWins([p.userChange, overrides[0]]);
    await s.upload(
      'override-upload',
      inDir(master.overridesDir, `${mac}-phone.cfg`),
      Buffer.from(encodeOverrideFile(merged)),
      'Application',
    );
    s.effective = leftmostWins([merged, overrides[1], ...files]);
  }
}
