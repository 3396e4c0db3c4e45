/**
 * Per-phone reports and the aggregate of a run: counts, percentiles, retries, bytes; a one-line progress
 * summary for stderr while a storm runs.
 */
export type StepStatus = 'ok' | 'absent' | 'skipped' | 'failed';

export interface StepReport {
  readonly step: string;
  readonly status: StepStatus;
  readonly ms: number;
  readonly bytes: number;
  readonly detail?: string;
  /** CRC-32 of the bytes sent (uploads) or received (downloads), 8 hex digits (transfer.ts). */
  readonly crc32?: string;
}

export interface PhoneReport {
  readonly mac: string;
  readonly model: string;
  readonly ok: boolean;
  /** The step that failed (last attempt), with its code. */
  readonly failedStep: string | undefined;
  readonly error: { code: string; message: string } | undefined;
  readonly address: string | undefined;
  readonly vlan: number | undefined;
  readonly bootServer: string | undefined;
  readonly totalMs: number;
  readonly bytesDown: number;
  readonly bytesUp: number;
  /** DHCP retransmissions + transfer retransmissions/reconnects + boot restarts. */
  readonly retries: number;
  /** The same by kind (RETRY_KINDS); their sum is `retries`. */
  readonly retriesBy: Readonly<Record<string, number>>;
  /** step:code of each boot that failed before the last one (why the phone rebooted). */
  readonly rebootCauses: readonly string[];
  readonly attempts: number;
  readonly appVersion: string;
  readonly upgraded: { readonly bootrom: boolean; readonly app: boolean };
  readonly steps: readonly StepReport[];
  readonly parameters: Readonly<Record<string, string>>;
}

export interface Aggregate {
  readonly phones: number;
  readonly provisioned: number;
  readonly failed: number;
  readonly failedBySteps: Readonly<Record<string, number>>;
  readonly wallMs: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  readonly retries: number;
  readonly retriesBy: Readonly<Record<string, number>>;
  readonly rebootCauses: Readonly<Record<string, number>>;
  readonly bytesDown: number;
  readonly bytesUp: number;
  readonly upgradedApps: number;
  readonly upgradedBootroms: number;
}

/**
 * What a retry was: a DHCP retransmission (DISCOVER, REQUEST, INFORM; a NAK's restart), a TFTP request
 * (RRQ) sent again for want of a first answer, a download's ACK sent again after a DATA timeout, an upload's
 * WRQ or DATA sent again, an FTP/HTTP reconnect, a reboot after a failed boot.
 */
export const RETRY_KINDS = [
  'dhcp',
  'tftp-request',
  'tftp-block',
  'tftp-upload',
  'reconnect',
  'reboot',
] as const;
export type RetryKind = (typeof RETRY_KINDS)[number];

/** Sum of count maps, keys in first-seen order. */
export function addCounts(
  into: Record<string, number>,
  from: Readonly<Record<string, number>>,
): Record<string, number> {
  for (const [k, v] of Object.entries(from)) into[k] = (into[k] ?? 0) + v;
  return into;
}

/** Nearest-rank percentile of an ascending list (0 for an empty list). */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

export function aggregate(
  reports: readonly PhoneReport[],
  wallMs: number,
): Aggregate {
  const times = reports
    .filter((r) => r.ok)
    .map((r) => r.totalMs)
    .sort((a, b) => a - b);
  const failedBySteps: Record<string, number> = {};
  for (const r of reports)
    if (!r.ok)
      failedBySteps[`${r.failedStep ?? '?'}:${r.error?.code ?? '?'}`] =
        (failedBySteps[`${r.failedStep ?? '?'}:${r.error?.code ?? '?'}`] ?? 0) +
        1;
  const sum = (f: (r: PhoneReport) => number): number =>
    reports.reduce((a, r) => a + f(r), 0);
  const retriesBy: Record<string, number> = {};
  const rebootCauses: Record<string, number> = {};
  for (const r of reports) {
    addCounts(retriesBy, r.retriesBy);
    for (const c of r.rebootCauses) addCounts(rebootCauses, { [c]: 1 });
  }
  return {
    phones: reports.length,
    provisioned: times.length,
    failed: reports.length - times.length,
    failedBySteps,
    wallMs,
    p50Ms: percentile(times, 50),
    p99Ms: percentile(times, 99),
    maxMs: times.length ? times[times.length - 1]! : 0,
    retries: sum((r) => r.retries),
    retriesBy,
    rebootCauses,
    bytesDown: sum((r) => r.bytesDown),
    bytesUp: sum((r) => r.bytesUp),
    upgradedApps: sum((r) => (r.upgraded.app ? 1 : 0)),
    upgradedBootroms: sum((r) => (r.upgraded.bootrom ? 1 : 0)),
  };
}

export function progressLine(
  done: number,
  ok: number,
  total: number,
  elapsedMs: number,
  bytes: number,
): string {
  return `phonesim: ${done}/${total} done, ${ok} provisioned, ${done - ok} failed, ${(elapsedMs / 1000).toFixed(1)} s, ${(bytes / 1048576).toFixed(1)} MiB`;
}

export function formatAggregate(a: Aggregate): string {
  const lines = [
    `phones ${a.phones}: provisioned ${a.provisioned} (${a.phones ? ((100 * a.provisioned) / a.phones).toFixed(1) : '0'} %), failed ${a.failed}`,
    `wall ${(a.wallMs / 1000).toFixed(2)} s, per phone p50 ${(a.p50Ms / 1000).toFixed(2)} s, p99 ${(a.p99Ms / 1000).toFixed(2)} s, max ${(a.maxMs / 1000).toFixed(2)} s`,
    `retries ${a.retries}, downloaded ${(a.bytesDown / 1048576).toFixed(1)} MiB, uploaded ${(a.bytesUp / 1024).toFixed(1)} KiB, upgraded ${a.upgradedApps} apps / ${a.upgradedBootroms} bootROMs`,
  ];
  const by = Object.entries(a.retriesBy).filter(([, v]) => v > 0);
  if (by.length)
    lines.push(
      `  retries by kind: ${by.map(([k, v]) => `${k} ${v}`).join(', ')}`,
    );
  for (const [k, v] of Object.entries(a.rebootCauses))
    lines.push(`  rebooted after ${k}: ${v}`);
  for (const [k, v] of Object.entries(a.failedBySteps))
    lines.push(`  failed at ${k}: ${v}`);
  return lines.join('\n');
}
