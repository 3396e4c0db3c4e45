/**
 * `appliance export kea --ha`: two kea-dhcp4 in namespaces running the two exported files (hot-standby, the
 * peers talking over Kea 2.2's dedicated HTTP listener, no control agent). The primary answers; stopped by
 * PID, the standby answers a new client within the configured max-response-delay (plus the client's retry).
 *   10.93.1.0/24: primary .1, standby .2, c1 .3, c2 .4
 */

import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  checkExported,
  type Running,
  runExport,
  startKea,
  stopChild,
  writeFixture,
} from './export/servers.ts';
import { envScript, labSkip, readEnv, udhcpc } from './lib/dhcp-lab.ts';
import { createLab, type Lab, waitFor } from './lib/netns.ts';
import { tempDir } from './lib/temp-dir.ts';

const skip = await labSkip(['udhcpc', 'kea-dhcp4']);
const DELAY_MS = 6000;
const URLS = 'http://10.93.1.1:8001/,http://10.93.1.2:8001/';

async function exportAndStart(
  lab: Lab,
  host: string,
  which: 'primary' | 'standby',
  yaml: string,
  root: string,
): Promise<Running> {
  const dir = join(root, which);
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'kea-dhcp4.json');
  const r = await runExport('kea', yaml, file, [
    '--ha',
    URLS,
    '--ha-this',
    which,
    '--ha-delay',
    String(DELAY_MS),
    '--lease-file',
    join(dir, 'leases4.csv'),
  ]);
  assert.equal(r.code, 0, r.stderr);
  await checkExported('kea', file);
  return startKea(lab, host, file, dir);
}

async function lease(
  lab: Lab,
  host: string,
  dir: string,
  name: string,
  tries: number,
): Promise<Record<string, string>> {
  const { script, out } = envScript(dir, name, ['bound']);
  await lab.exec(
    host,
    udhcpc({ script, tries, vendorClass: 'Polycom-VVX410', ask: [160] }),
    { timeoutMs: (tries + 10) * 1000 },
  );
  const env = readEnv(out);
  assert.ok(env, `${name} bound`);
  return env;
}

test('Kea HA pair from --ha: the standby answers a new client once the primary is stopped', {
  skip,
  timeout: 120_000,
}, async () => {
  const root = tempDir('export-ha-');
  const yaml = writeFixture(root);
  const lab = await createLab({
    prefix: 'expha',
    hosts: ['p', 's', 'c1', 'c2'],
    subnet: '10.93.1',
  });
  try {
    const primary = await exportAndStart(lab, 'p', 'primary', yaml, root);
    const standby = await exportAndStart(lab, 's', 'standby', yaml, root);
    await waitFor(
      () =>
        /to HOT-STANDBY state/.test(primary.output()) &&
        /to HOT-STANDBY state/.test(standby.output()),
      30_000,
      'both peers in HOT-STANDBY',
    );

    const first = await lease(lab, 'c1', root, 'first', 5);
    assert.equal(first.serverid, '10.93.1.1', 'the primary answers');
    assert.equal(
      first.opt160,
      Buffer.from('ftp://PlcmSpIp:PlcmSpIp@10.93.1.1/hq').toString('hex'),
    );
    // lease_cmds on the standby: the primary's lease is replicated into the standby's lease file.
    await waitFor(
      () =>
        readFileSync(join(root, 'standby', 'leases4.csv'), 'utf8').includes(
          `${first.ip},`,
        ),
      5000,
      'lease replicated to the standby',
    );

    await stopChild(primary.child);
    const stopped = Date.now();
    const second = await lease(lab, 'c2', root, 'second', 30);
    const took = Date.now() - stopped;
    assert.equal(second.serverid, '10.93.1.2', 'the standby answers');
    assert.match(second.ip!, /^10\.93\.1\.1[0-4]\d$/);
    assert.match(standby.output(), /PARTNER-DOWN/);
    // max-response-delay, one heartbeat (DELAY/6 = 1 s) and udhcpc's 1 s retry interval.
    assert.ok(
      took <= DELAY_MS + 1000 + 3000,
      `standby answered after ${took} ms (configured ${DELAY_MS} ms)`,
    );
    process.stderr.write(
      `# standby answered a new client ${took} ms after the primary stopped (max-response-delay ${DELAY_MS} ms)\n`,
    );
  } finally {
    await lab.destroy();
  }
});
