/**
 * Resolved secrets stay out of everything but the files phones fetch: the running appliance (startAppliance,
 * admin + HTTP on free ports) is asked every admin API answer and /metrics, serves a phone its file, is
 * given a reload with a missing secret (refused; the last good config keeps serving); then the log, the
 * answers and the metrics are searched for the secret values and hold none of them.
 */

import assert from 'node:assert/strict';
import { closeSync, openSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { startAppliance } from '../src/main.ts';
import { createLogger, flushLogger } from '../src/shared/log.ts';
import { waitFor } from './lib/netns.ts';

const PHONE_PW = 'Phone-Secret-8c1f';
const ACCOUNT_PW = 'Account-Secret-77a2';
const TOKEN = 'Admin-Token-From-File-4d9e0b';

const freePort = (): Promise<number> =>
  new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });

const yaml = (
  adminPort: number,
  httpPort: number,
  phonePw: string,
): string => `appliance:
  address: 127.0.0.1
  interface: lo
  tftpboot: ./tftpboot
  dataDir: ./data
  services:
    dhcp: { enabled: false }
    tftp: { enabled: false }
    ftp: { enabled: false }
    http: { enabled: true, port: ${httpPort} }
    admin: { enabled: true, port: ${adminPort}, token: "\${file:admin_token}" }
sites:
  hq:
    subnet: 127.0.0.0/8
    pool: 127.0.0.100-127.0.0.199
    bootServer: { protocol: http, user: hq, password: "\${env:LEAK_ACCOUNT_PW}" }
phones:
  "00:04:f2:80:62:d6": { site: hq, model: VVX410, parameters: { reg.1.address: "1000", reg.1.auth.password: "${phonePw}" } }
`;

test('no resolved secret in logs, admin API answers or /metrics; a reload with a missing one is refused', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'secrets-leak-'));
  const [adminPort, httpPort] = [await freePort(), await freePort()];
  process.env.LEAK_PHONE_PW = PHONE_PW;
  process.env.LEAK_ACCOUNT_PW = ACCOUNT_PW;
  delete process.env.LEAK_MISSING;
  await writeFile(join(dir, 'admin_token'), `${TOKEN}\n`);
  const config = join(dir, 'appliance.yaml');
  await writeFile(config, yaml(adminPort, httpPort, '${env:LEAK_PHONE_PW}'));
  const logFile = join(dir, 'appliance.log');
  const fd = openSync(logFile, 'w');
  const log = createLogger({ level: 'debug', destination: fd });
  const running = await startAppliance(config, log, { reloadDebounceMs: 20 });
  const answers: string[] = [];
  const get = async (
    path: string,
    base = `http://127.0.0.1:${adminPort}`,
    auth = `Bearer ${TOKEN}`,
  ): Promise<string> => {
    const r = await fetch(base + path, { headers: { authorization: auth } });
    const body = await r.text();
    answers.push(`${path} ${r.status} ${body}`);
    return body;
  };
  try {
    const phoneFile = await get(
      '/hq/0004f28062d6-appliance.cfg',
      `http://127.0.0.1:${httpPort}`,
      `Basic ${Buffer.from(`hq:${ACCOUNT_PW}`).toString('base64')}`,
    );
    assert.ok(
      phoneFile.includes(PHONE_PW),
      'the phone itself gets its password',
    );
    answers.pop();
    for (const p of [
      '/health',
      '/',
      '/api/phones',
      '/api/phones/0004f28062d6',
      '/api/leases',
      '/api/rollout',
      '/api/errors',
      '/api/config',
      '/api/notify',
      '/metrics',
    ])
      await get(p);

    await writeFile(config, yaml(adminPort, httpPort, '${env:LEAK_MISSING}'));
    await waitFor(
      async () => JSON.parse(await get('/api/config')).failures === 1,
      5000,
      'the refused reload',
    );
    const state = JSON.parse(await get('/api/config'));
    assert.equal(state.lastError.issues[0].code, 'CFG_SECRET');
    assert.match(
      state.lastError.issues[0].text,
      /appliance\.yaml:18:\d+ .*LEAK_MISSING is not set/,
    );
    assert.ok(
      (
        await get(
          '/hq/0004f28062d6-appliance.cfg',
          `http://127.0.0.1:${httpPort}`,
          `Basic ${Buffer.from(`hq:${ACCOUNT_PW}`).toString('base64')}`,
        )
      ).includes(PHONE_PW),
      'the last good config keeps serving',
    );
    answers.pop();
    await get('/metrics');
  } finally {
    await running.close();
    flushLogger(log);
    closeSync(fd);
  }
  const logs = await readFile(logFile, 'utf8');
  assert.match(logs, /new configuration refused/);
  for (const secret of [PHONE_PW, ACCOUNT_PW, TOKEN]) {
    assert.equal(logs.includes(secret), false, `log holds ${secret}`);
    const leaked = answers
      .filter((a) => a.includes(secret))
      .map((a) => a.slice(0, 80));
    assert.deepEqual(leaked, [], `answers holding ${secret}`);
  }
  assert.ok(
    answers.some((a) => a.startsWith('/metrics 200 ')),
    'metrics were read',
  );
  await rm(dir, { recursive: true, force: true });
});
