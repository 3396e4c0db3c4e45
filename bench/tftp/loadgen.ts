/**
 * The TFTP benchmark's native load generator (loadgen.c): COUNT concurrent downloads of one file from this
 * process, lock-step or RFC 7440 windowed, and the check that every one delivered the expected bytes: length
 * and SHA-256, or (with `reference`, the expected file itself, whose SHA-256 must be the expected one) every
 * block compared in place with it, the cheaper check. A transfer that timed out, got an ERROR, broke the protocol, or delivered other bytes is a
 * failure with a stable code, so a server that corrupts or truncates fails the round.
 */
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { loadAddon } from '../../src/shared/native-addon.ts';

interface NativeTransfer {
  readonly status: number;
  readonly bytes: number;
  readonly sha256: string;
  readonly retries: number;
  readonly error: string;
}

/** What the loop thread counted: its own CPU (getrusage RUSAGE_THREAD, µs), its syscalls, datagrams in. */
interface GenCounters {
  readonly userUs: number;
  readonly sysUs: number;
  /** sendto, recvmmsg and epoll_wait calls. */
  readonly sendCalls: number;
  readonly recvCalls: number;
  readonly recvPackets: number;
  readonly epollWaits: number;
}

interface NativeRound extends GenCounters {
  readonly wallNs: number;
  readonly transfers: readonly NativeTransfer[];
}

interface Addon {
  run(
    server: string,
    port: number,
    filename: string,
    count: number,
    blksize: number,
    windowsize: number,
    timeoutMs: number,
    maxRetries: number,
    reference: Buffer | undefined,
  ): Promise<NativeRound>;
}

export type GenFailure =
  | 'GEN_TIMEOUT'
  | 'GEN_SERVER_ERROR'
  | 'GEN_PROTOCOL'
  | 'GEN_LENGTH'
  | 'GEN_HASH'
  | 'GEN_CONTENT';

export interface GenOptions {
  readonly server: string;
  readonly port: number;
  readonly filename: string;
  readonly count: number;
  readonly blksize: number;
  readonly windowsize: number;
  /** What every download must deliver. */
  readonly expect: { readonly size: number; readonly sha256: string };
  /** Compare every block with this file (checked against `expect` first) instead of hashing. */
  readonly reference?: Buffer;
  readonly timeoutMs?: number;
  readonly maxRetries?: number;
}

export interface GenRound extends GenCounters {
  readonly wallMs: number;
  readonly ok: number;
  readonly failed: number;
  /** Failures by code, and the first few messages. */
  readonly failures: Partial<Record<GenFailure, number>>;
  readonly examples: readonly string[];
  readonly retries: number;
}

let addon: Addon | undefined;

/** Compile (first use) and load the addon; throws with what is missing. */
export function loadGenerator(): Addon {
  if (addon) return addon;
  const a = loadAddon<Addon>(join(import.meta.dirname, 'loadgen.c'), [
    '-Wno-deprecated-declarations',
  ]);
  if (!a.ok) throw new Error(a.error);
  addon = a.value;
  return addon;
}

const STATUS: Readonly<Record<number, GenFailure>> = {
  1: 'GEN_TIMEOUT',
  2: 'GEN_SERVER_ERROR',
  3: 'GEN_PROTOCOL',
  4: 'GEN_CONTENT',
};

/** The failure of one transfer, or undefined when it delivered exactly the expected bytes. */
function judge(t: NativeTransfer, o: GenOptions): GenFailure | undefined {
  if (t.status !== 0) return STATUS[t.status] ?? 'GEN_PROTOCOL';
  if (t.bytes !== o.expect.size) return 'GEN_LENGTH';
  if (!o.reference && t.sha256 !== o.expect.sha256) return 'GEN_HASH';
  return undefined;
}

export async function runDownloads(o: GenOptions): Promise<GenRound> {
  if (
    o.reference &&
    (o.reference.length !== o.expect.size ||
      createHash('sha256').update(o.reference).digest('hex') !==
        o.expect.sha256)
  )
    throw new Error('the reference file is not the expected one');
  const r = await loadGenerator().run(
    o.server,
    o.port,
    o.filename,
    o.count,
    o.blksize,
    o.windowsize,
    o.timeoutMs ?? 1000,
    o.maxRetries ?? 5,
    o.reference,
  );
  const failures: Partial<Record<GenFailure, number>> = {};
  const examples: string[] = [];
  let failed = 0;
  let retries = 0;
  for (const t of r.transfers) {
    retries += t.retries;
    const f = judge(t, o);
    if (!f) continue;
    failed++;
    failures[f] = (failures[f] ?? 0) + 1;
    if (examples.length < 3)
      examples.push(
        `${f}: ${t.error || `${t.bytes} bytes, sha256 ${t.sha256.slice(0, 12)}…`}`,
      );
  }
  return {
    wallMs: Math.round(r.wallNs / 1e6),
    ok: r.transfers.length - failed,
    failed,
    failures,
    examples,
    retries,
    userUs: r.userUs,
    sysUs: r.sysUs,
    sendCalls: r.sendCalls,
    recvCalls: r.recvCalls,
    recvPackets: r.recvPackets,
    epollWaits: r.epollWaits,
  };
}
