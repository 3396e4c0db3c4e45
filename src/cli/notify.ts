/**
 * `appliance notify <MAC|site|model|all> [--reboot] [--wave N] [--refetch-timeout S] [--json]`: asks the
 * running appliance (admin API, POST /api/notify) to send check-sync NOTIFYs, shows the job's progress until it
 * is done and prints each phone's outcome. --url and --token default from appliance.yaml (see ops.ts).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { TOKEN_FILE } from '../admin/auth.ts';
import type { Job } from '../admin/notify/jobs.ts';
import { parseCommand } from './args.ts';
import { errOut, model, out } from './ops.ts';
import { formatTable } from './tables.ts';

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
