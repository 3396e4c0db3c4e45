/**
 * What a simulated phone downloads after the boot server: the master configuration, CONFIG_FILES and its
 * overrides (giving the effective parameters), the language's dictionary, licenses, directory and call list.
 */

import { formatLocation } from './boot-server.ts';
import type { BootSession } from './boot-session.ts';
import { simError } from './errors.ts';
import {
  inDir,
  type MasterConfig,
  parseMasterConfig,
} from './master-config.ts';
import { leftmostWins, type ParamMap } from './params.ts';

export /** The master configuration: named in the address, else <MAC>.cfg, else 000000000000.cfg. */
async function masterConfig(s: BootSession): Promise<MasterConfig> {
  const { mac, p } = s;
  const location = s.location!;
  let masterFile = location.masterFile
    ? await s.fetch('master', location.masterFile, 'Application', false)
    : await s.fetch('master-mac', `${mac}.cfg`, 'Application', true);
  if (!masterFile)
    masterFile = await s.fetch(
      'master',
      '000000000000.cfg',
      'Application',
      true,
    );
  if (!masterFile)
    s.fail(
      'master',
      performance.now(),
      simError(
        'SIM_NO_MASTER_CONFIG',
        `neither ${mac}.cfg nor 000000000000.cfg on ${formatLocation(location)}`,
      ),
    );
  const mc = parseMasterConfig(masterFile!.data.toString('utf8'), {
    mac,
    model: p.id.model.model,
    partNumber: p.id.model.partNumber,
  });
  if (!mc.ok) s.fail('master', performance.now(), mc.error);
  return (mc as { ok: true; value: MasterConfig }).value;
}

export /** CONFIG_FILES left to right, then the phone's and the web UI's overrides; effective parameters, leftmost wins. */
async function configuration(
  s: BootSession,
  master: MasterConfig,
): Promise<{ files: ParamMap[]; overrides: [ParamMap, ParamMap] }> {
  const files: ParamMap[] = [];
  for (const [i, f] of master.configFiles.entries())
    files.push(
      s.params(
        `config:${f}`,
        (await s.fetch(`config:${i + 1}`, f, 'Application', false))!,
      ),
    );
  const phoneOverride = await s.fetch(
    'override-phone',
    inDir(master.overridesDir, `${s.mac}-phone.cfg`),
    'Application',
    true,
  );
  const webOverride = await s.fetch(
    'override-web',
    inDir(master.overridesDir, `${s.mac}-web.cfg`),
    'Application',
    true,
  );
  const overrides: [ParamMap, ParamMap] = [
    phoneOverride ? s.params('override-phone', phoneOverride) : new Map(),
    webOverride ? s.params('override-web', webOverride) : new Map(),
  ];
  s.effective = leftmostWins([...overrides, ...files]);
  return { files, overrides };
}

export /** The language's dictionary, at the provisioning root, when lcl.ml.lang names one other than the built-in US English (seed 003). */
async function dictionary(s: BootSession): Promise<void> {
  const lang = s.effective.get('lcl.ml.lang');
  if (lang === undefined || lang === '' || lang === 'English_United_States')
    return;
  await s.fetch(
    'dictionary',
    `SoundPointIPLocalization/${lang}/SoundPointIP-dictionary.xml`,
    'Application',
    true,
  );
}

export /** Licenses, the directory (the phone's own, else the shared one) and the call list; returns the call list. */
async function directoryAndLists(
  s: BootSession,
  master: MasterConfig,
): Promise<Buffer | undefined> {
  const { mac } = s;
  await s.fetch(
    'license-shared',
    inDir(master.licenseDir, '000000000000-license.cfg'),
    'Application',
    true,
  );
  await s.fetch(
    'license-phone',
    inDir(master.licenseDir, `${mac}-license.cfg`),
    'Application',
    true,
  );
  const dir = await s.fetch(
    'directory-phone',
    inDir(master.contactsDir, `${mac}-directory.xml`),
    'Application',
    true,
  );
  if (!dir)
    await s.fetch(
      'directory-shared',
      inDir(master.contactsDir, '000000000000-directory.xml'),
      'Application',
      true,
    );
  return (
    await s.fetch(
      'calls',
      inDir(master.callListsDir, `${mac}-calls.xml`),
      'Application',
      true,
    )
  )?.data;
}
