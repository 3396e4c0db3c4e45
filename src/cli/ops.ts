/**
 * Operations subcommands of `appliance` (each returns an exit code: 0 ok, 1 failure, 2 usage):
 *   appliance notify …                       check-sync through the running appliance (notify.ts)
 *   appliance leases [--site S] [--all]      leases and pool usage per site, from the lease journal
 *   appliance phones [--site S] [--model M] [--state new|known] [--json]   the inventory
 * Common: --config FILE (default $APPLIANCE_CONFIG, else ./appliance.yaml); notify also --url URL, --token T
 * (default http://127.0.0.1:<services.admin.port> and services.admin.token or <dataDir>/admin-token).
 * leases and phones read the data directory directly, so they work with the appliance stopped too.
 */

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
