/**
 * STORM_DIAG=DIR: what a storm's retries were and where packets were lost. Before and after the phones run,
 * each namespace's UDP counters (/proc/net/snmp: InDatagrams, RcvbufErrors, …) and, for the appliance, its
 * /metrics (the admin API is then enabled on 10.91.8.1:8080 with DIAG_TOKEN); afterwards the simulator's
 * report (retries by kind, reboot causes, every phone) and the server's last output are copied into DIR.
 * Off by default. It needs the admin API (on unless STORM_ADMIN=off, lab.ts): STORM_DIAG with STORM_ADMIN=off
 * is refused.
 */
import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Lab } from '../../test/lib/netns.ts';

export const DIAG_DIR = process.env.STORM_DIAG ?? '';
/**
 * STORM_ADMIN=off: the storm's appliance.yaml turns the admin API off (to compare); by default it is on, as
 * appliance.yaml's default has it, i.e. as users start the appliance.
 */
export const ADMIN_ON = process.env.STORM_ADMIN !== 'off';
if (
  process.env.STORM_ADMIN !== undefined &&
  !['on', 'off'].includes(process.env.STORM_ADMIN)
)
  throw new Error(
    `STORM_ADMIN must be on or off, not ${process.env.STORM_ADMIN}`,
  );
if (DIAG_DIR && !ADMIN_ON)
  throw new Error(
    'STORM_DIAG needs the admin API (/metrics): not with STORM_ADMIN=off',
  );
export const DIAG_TOKEN = 'storm-diag-token-0123456789';
export const DIAG_ADMIN = '10.91.8.1:8080';

/** The Udp lines of /proc/net/snmp as name → value. */
function udp(snmp: string): Record<string, number> {
  const lines = snmp.split('\n').filter((l) => l.startsWith('Udp:'));
  const [names, values] = [lines[0]!.split(/\s+/), lines[1]!.split(/\s+/)];
  const o: Record<string, number> = {};
  for (let i = 1; i < names.length; i++) o[names[i]!] = Number(values[i]);
  return o;
}

/** The metric lines that name TFTP, DHCP or HTTP counters (no HELP/TYPE). */
const metricLines = (text: string): string =>
  text
    .split('\n')
    .filter((l) => /^appliance_(tftp|dhcp|http)/.test(l))
    .join('\n');

export interface Snapshot {
  readonly udp: Record<string, Record<string, number>>;
  readonly metrics: string;
}

export async function snapshot(l: Lab, appliance: boolean): Promise<Snapshot> {
  const out: Record<string, Record<string, number>> = {};
  for (const h of ['app', 'phones'])
    out[h] = udp((await l.exec(h, ['cat', '/proc/net/snmp'])).stdout);
  let metrics = '';
  if (appliance) {
    const r = await l.exec('phones', [
      'curl',
      '-s',
      '-m',
      '5',
      '-H',
      `Authorization: Bearer ${DIAG_TOKEN}`,
      `http://${DIAG_ADMIN}/metrics`,
    ]);
    metrics = metricLines(r.stdout);
  }
  return { udp: out, metrics };
}

/** Writes DIR/<label>.md (counters before → after, the report's breakdown) and copies the raw files. */
export async function writeDiag(
  label: string,
  before: Snapshot,
  after: Snapshot,
  simJson: string,
  aggregate: Record<string, unknown>,
  serverOut: string,
): Promise<void> {
  await mkdir(DIAG_DIR, { recursive: true });
  const slug = label.replace(/[^a-z0-9]+/gi, '-').toLowerCase();
  const lines = [`# ${label}`, ''];
  for (const h of Object.keys(after.udp)) {
    const d = Object.entries(after.udp[h]!)
      .map(([k, v]) => `${k} ${v - (before.udp[h]?.[k] ?? 0)}`)
      .join(', ');
    lines.push(`- ${h} Udp during the storm: ${d}`);
  }
  lines.push(
    `- retries by kind: ${JSON.stringify(aggregate.retriesBy)}`,
    `- reboot causes: ${JSON.stringify(aggregate.rebootCauses)}`,
    '',
    '## /metrics before',
    '```',
    before.metrics,
    '```',
    '## /metrics after',
    '```',
    after.metrics,
    '```',
  );
  await writeFile(join(DIAG_DIR, `${slug}.md`), `${lines.join('\n')}\n`);
  await writeFile(join(DIAG_DIR, `${slug}.server.log`), serverOut);
  await copyFile(simJson, join(DIAG_DIR, `${slug}.phonesim.json`));
}
