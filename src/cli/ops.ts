/**
 * Operations subcommands of `appliance` (each returns an exit code: 0 ok, 1 failure, 2 usage):
 *   appliance notify <MAC|site|model|all> [--reboot] [--wave N] [--refetch-timeout S] [--json]
 *       asks the running appliance (admin API) to send check-sync NOTIFYs and shows progress until done
 *   appliance leases [--site S] [--all]      leases and pool usage per site, from the lease journal
 *   appliance phones [--site S] [--model M] [--state new|known] [--json]   the inventory
 * Common: --config FILE (default $APPLIANCE_CONFIG, else ./appliance.yaml); notify also --url URL, --token T
 * (default http://127.0.0.1:<services.admin.port> and services.admin.token or <dataDir>/admin-token).
 * leases and phones read the data directory directly, so they work with the appliance stopped too.
 */

import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { TOKEN_FILE } from '../admin/auth.ts';
import type { Job } from '../admin/notify/jobs.ts';
import { formatIssue } from '../config/issues.ts';
import type { ApplianceModel } from '../config/model.ts';
import { offlineLeases } from '../dhcp/leases/replay.ts';
import { createInventory } from '../inventory/inventory.ts';
import { loadInventoryFile } from '../inventory/persist.ts';
import { filterPhones } from '../inventory/views.ts';
import { loadAppliance } from '../policy/load.ts';
import { silentLogger } from '../shared/log.ts';
import { parseCommand } from './args.ts';
import { formatTable, shortTime } from './tables.ts';

export const out = (s: string): void => {
  process.stdout.write(s);
};
export const errOut = (s: string): void => {
  process.stderr.write(s);
};

export async function model(
  file: string | undefined,
): Promise<ApplianceModel | undefined> {
  const path = file ?? process.env.APPLIANCE_CONFIG ?? 'appliance.yaml';
  const r = await loadAppliance(path);
  if (!r.ok) {
    for (const i of r.error) errOut(`${formatIssue(i)}\n`);
    return undefined;
  }
  return r.value.model;
}

async function inventoryOf(m: ApplianceModel) {
  return createInventory({
    model: { current: () => m },
    restore: await loadInventoryFile(m.dataDir, silentLogger()),
  });
}

export async function phonesCommand(argv: string[]): Promise<number> {
  const a = parseCommand(argv, {
    site: { type: 'string' },
    model: { type: 'string' },
    state: { type: 'string' },
    json: { type: 'boolean' },
  });
  if (!a) return 2;
  const m = await model(a.values.config);
  if (!m) return 1;
  const inv = await inventoryOf(m);
  const phones = filterPhones(inv.list(), {
    site: a.values.site,
    model: a.values.model,
    state: a.values.state,
    q: a.positionals[0],
  });
  if (a.values.json) {
    out(`${JSON.stringify(phones, null, 2)}\n`);
    return 0;
  }
  out(
    formatTable(
      [
        'MAC',
        'LABEL',
        'SITE',
        'MODEL',
        'PART',
        'ADDRESS',
        'RUNNING',
        'OFFERED',
        'ROLLOUT',
        'STATE',
        'LAST SEEN',
        'FILES',
        'ERRORS',
      ],
      phones.map((p) => [
        p.mac,
        p.label,
        p.site,
        p.model,
        p.partNumber,
        p.address,
        p.runningVersion,
        p.offeredVersion,
        p.rollout,
        p.state,
        shortTime(p.lastSeen),
        `${p.downloads}/${p.uploads}`,
        p.errors ? `${p.errors} ${p.lastError?.code ?? ''}` : '0',
      ]),
    ),
  );
  out(
    `${phones.length} phone${phones.length === 1 ? '' : 's'}${phones.length !== inv.list().length ? ` of ${inv.list().length}` : ''}\n`,
  );
  return 0;
}

export async function leasesCommand(argv: string[]): Promise<number> {
  const a = parseCommand(argv, {
    site: { type: 'string' },
    all: { type: 'boolean' },
  });
  if (!a) return 2;
  const m = await model(a.values.config);
  if (!m) return 1;
  const site = a.values.site;
  if (site !== undefined && !m.sites.has(site)) {
    errOut(`no site "${site}" (sites: ${[...m.sites.keys()].join(', ')})\n`);
    return 1;
  }
  const inv = await inventoryOf(m);
  const snap = offlineLeases(m.dataDir, { current: () => m }).snapshot(
    Date.now(),
  );
  const pools = snap.pools.filter((p) => site === undefined || p.site === site);
  out(
    formatTable(
      ['SITE', 'SUBNET', 'MODE', 'POOL', 'USED', 'FREE', 'DECLINED', 'USE'],
      pools.map((p) => [
        p.site,
        p.subnet,
        p.mode,
        p.size,
        p.used,
        p.free,
        p.declined,
        `${p.size ? Math.round((100 * p.used) / p.size) : 0}%`,
      ]),
    ),
  );
  out('\n');
  const rows = snap.leases.filter(
    (l) =>
      (site === undefined || l.site === site) && (a.values.all || l.active),
  );
  out(
    formatTable(
      ['ADDRESS', 'MAC', 'SITE', 'LABEL', 'MODEL', 'EXPIRES', 'STATE'],
      rows.map((l) => [
        l.ip,
        l.mac,
        l.site,
        inv.get(l.mac)?.label ?? m.phones.get(l.mac as never)?.label,
        inv.get(l.mac)?.model,
        new Date(l.expires).toISOString().slice(0, 19).replace('T', ' '),
        l.active ? 'active' : 'expired',
      ]),
    ),
  );
  out(
    `${rows.length} lease${rows.length === 1 ? '' : 's'}${snap.badLines ? ` (${snap.badLines} unreadable journal lines skipped)` : ''}\n`,
  );
  return 0;
}

const OK_STATES = new Set(['answered', 'refetched']);

function progressLine(j: Job): string {
  const s = Object.entries(j.summary)
    .map(([k, v]) => `${v} ${k}`)
    .join(', ');
  return `check-sync ${j.selector}: ${j.waveSize ? `wave ${j.currentWave}/${j.waves}: ` : ''}${s}`;
}

export async function notifyCommand(argv: string[]): Promise<number> {
  const a = parseCommand(argv, {
    reboot: { type: 'boolean' },
    wave: { type: 'string' },
    url: { type: 'string' },
    token: { type: 'string' },
    'refetch-timeout': { type: 'string' },
    json: { type: 'boolean' },
  });
  if (!a) return 2;
  const target = a.positionals[0];
  if (target === undefined || a.positionals.length > 1) {
    errOut(
      'usage: appliance notify <MAC|site|model|all> [--reboot] [--wave N] [--refetch-timeout SECONDS]\n',
    );
    return 2;
  }
  const wave = a.values.wave === undefined ? undefined : Number(a.values.wave);
  if (wave !== undefined && !(Number.isInteger(wave) && wave >= 1)) {
    errOut('--wave must be a whole number of phones per wave (1 or more)\n');
    return 2;
  }
  const refetch =
    a.values['refetch-timeout'] === undefined
      ? undefined
      : Number(a.values['refetch-timeout']) * 1000;
  let url = a.values.url;
  let token = a.values.token;
  if (url === undefined || token === undefined) {
    const m = await model(a.values.config);
    if (!m) return 1;
    url ??= `http://127.0.0.1:${m.services.admin.port}`;
    token ??=
      m.services.admin.token ??
      (
        await readFile(join(m.dataDir, TOKEN_FILE), 'utf8').catch(() => '')
      ).trim();
  }
  const headers = {
    Authorization: `Bearer ${token}`,
    'Content-Type': 'application/json',
  };
  const call = async (
    path: string,
    init?: RequestInit,
  ): Promise<{
    status: number;
    body: { job?: Job; error?: { code: string; message: string } };
  }> => {
    const r = await fetch(`${url}${path}`, {
      ...init,
      headers,
      signal: AbortSignal.timeout(10_000),
    });
    return {
      status: r.status,
      body: (await r.json()) as {
        job?: Job;
        error?: { code: string; message: string };
      },
    };
  };
  let started;
  try {
    started = await call('/api/notify', {
      method: 'POST',
      body: JSON.stringify({
        target,
        wave,
        reboot: a.values.reboot === true,
        refetchTimeoutMs: refetch,
      }),
    });
  } catch (e) {
    errOut(
      `cannot reach the appliance's admin API at ${url}: ${(e as Error).message} (is it running? --url, --token)\n`,
    );
    return 1;
  }
  if (started.status !== 202 || !started.body.job) {
    errOut(
      `${started.body.error?.code ?? started.status}: ${started.body.error?.message ?? 'refused'}\n`,
    );
    return started.status === 400 ? 2 : 1;
  }
  let job = started.body.job;
  const tty = process.stderr.isTTY === true;
  let last = '';
  while (job.finishedAt === undefined) {
    await new Promise((r) => setTimeout(r, 250));
    const r = await call(`/api/notify/${job.id}`).catch(() => undefined);
    if (r?.body.job) job = r.body.job;
    const line = progressLine(job);
    if (line !== last) {
      errOut(tty ? `\r\x1b[K${line}` : `${line}\n`);
      last = line;
    }
  }
  if (tty) errOut('\n');
  if (a.values.json) out(`${JSON.stringify(job, null, 2)}\n`);
  else {
    out(
      formatTable(
        [
          'MAC',
          'ADDRESS',
          'WAVE',
          'RESULT',
          'SIP',
          'SENT',
          'ANSWER MS',
          'REFETCH MS',
          'DETAIL',
        ],
        job.phones.map((p) => [
          p.mac,
          p.address,
          p.wave,
          p.state,
          p.status,
          p.attempts || undefined,
          p.answeredAt !== undefined && p.sentAt !== undefined
            ? p.answeredAt - p.sentAt
            : undefined,
          p.refetchedAt !== undefined && p.sentAt !== undefined
            ? p.refetchedAt - p.sentAt
            : undefined,
          p.state === 'answered' || p.state === 'refetched'
            ? undefined
            : p.reason,
        ]),
      ),
    );
    out(`${progressLine(job)} (${job.finishedAt! - job.startedAt} ms)\n`);
  }
  return job.phones.every((p) => OK_STATES.has(p.state)) ? 0 : 1;
}
