/**
 * One TFTP download (RRQ to the end of the file) run by the native loop of tftp-download.c: the per-block work
 * (DATA in, ACK out, the CRC-32 and the kept bytes) never enters JavaScript. What does is decided here, once
 * per transfer or less: whether a packet other than DATA/ACK is well-formed (the appliance's codec), what an
 * OACK or ERROR means, and the outcome. The wire behaviour is that of the conversation in tftp-client.ts.
 */
import { promises as dns } from 'node:dns';
import { isIPv4 } from 'node:net';
import { join } from 'node:path';
import { loadAddon } from '../../src/shared/native-addon.ts';
import { err, ok, type Result } from '../../src/shared/result.ts';
import {
  decode,
  ERR_ACCESS,
  ERR_NOT_FOUND,
  encode,
  type TftpPacket,
} from '../../src/tftp/codec/packet.ts';
import { type SimError, simError } from './errors.ts';
import { type Fetched, hex32 } from './transfer.ts';

/** What the native loop asks of a packet that is neither DATA nor a 4-byte ACK (tftp-download.c). */
type SlowFn = (
  id: number,
  phase: number,
  msg: Buffer,
  fresh: boolean,
  blksize: number,
) => number;
/** The outcome of a transfer: status 0 ok, 1 timeout, 2 the error `slow` recorded. */
type DoneFn = (
  id: number,
  status: number,
  bytes: number,
  crc32: number,
  data: Buffer | undefined,
  retries: number,
  requestRetries: number,
) => void;

interface Addon {
  init(slow: SlowFn, done: DoneFn): void;
  start(
    id: number,
    bind: string | null,
    server: string,
    port: number,
    request: Buffer,
    timeoutMs: number,
    maxRetries: number,
    keep: boolean,
  ): void;
}

export interface DownloadRequest {
  readonly localAddress: string | undefined;
  readonly server: { readonly address: string; readonly port: number };
  readonly filename: string;
  /** blksize to ask for; 0 sends no options. */
  readonly blksize: number;
  readonly packetTimeoutMs: number;
  readonly maxRetries: number;
  readonly keep: boolean;
}

interface Pending {
  readonly what: string;
  readonly maxRetries: number;
  readonly resolve: (r: {
    result: Result<Fetched, SimError>;
    retries: number;
    requestRetries: number;
  }) => void;
  error?: SimError;
}

/** The blksize an OACK sets (`current` when it names none); not ok when outside 8..65464. */
export function oackBlksize(
  p: Extract<TftpPacket, { op: 'oack' }>,
  current: number,
): { ok: boolean; value: number; raw: string | undefined } {
  const b = p.options.find((o) => o.name.toLowerCase() === 'blksize');
  const value = b ? Number(b.value) : current;
  return { ok: value >= 8 && value <= 65464, value, raw: b?.value };
}

/** An ERROR packet as the step's failure. */
export const errorFor = (
  p: { code: number; message: string },
  what: string,
): SimError =>
  simError(
    p.code === ERR_NOT_FOUND
      ? 'SIM_NOT_FOUND'
      : p.code === ERR_ACCESS
        ? 'SIM_DENIED'
        : 'SIM_PROTOCOL',
    `${what}: TFTP error ${p.code} ${p.message}`,
  );

const pending = new Map<number, Pending>();
let nextId = 1;
let addon: Addon | undefined;

/** What to do with a packet that is neither DATA nor a 4-byte ACK (see tftp-download.c). */
const slow: SlowFn = (id, phase, msg, fresh, blksize) => {
  const t = pending.get(id);
  const d = decode(msg);
  if (!t || !d.ok) return 0;
  if (phase === 0) return 1;
  const p = d.value;
  if (p.op === 'error') {
    t.error = errorFor(p, t.what);
    return -1;
  }
  if (p.op === 'oack' && fresh) {
    const b = oackBlksize(p, blksize);
    if (b.ok) return b.value;
    t.error = simError('SIM_PROTOCOL', `${t.what}: OACK blksize ${b.raw}`);
    return -2;
  }
  return 0;
};

const done: DoneFn = (
  id,
  status,
  bytes,
  crc32,
  data,
  retries,
  requestRetries,
) => {
  const t = pending.get(id);
  if (!t) return;
  pending.delete(id);
  const result: Result<Fetched, SimError> =
    status === 0
      ? ok({
          bytes,
          crc32: hex32(crc32),
          data: data ?? Buffer.alloc(0),
        })
      : status === 1
        ? err(
            simError(
              'SIM_TIMEOUT',
              `${t.what}: no answer after ${t.maxRetries} retransmissions`,
            ),
          )
        : err(t.error ?? simError('SIM_PROTOCOL', `${t.what}: ended`));
  t.resolve({ result, retries, requestRetries });
};

function load(): Result<Addon, SimError> {
  if (addon) return ok(addon);
  const a = loadAddon<Addon>(join(import.meta.dirname, 'tftp-download.c'), [
    '-Wno-deprecated-declarations',
  ]);
  if (!a.ok) return err(simError('SIM_IO', a.error));
  a.value.init(slow, done);
  addon = a.value;
  return ok(addon);
}

/**
 * Download one file; `retries` = retransmissions this transfer made, `requestRetries` the RRQs among them.
 * Never throws.
 */
export async function download(r: DownloadRequest): Promise<{
  result: Result<Fetched, SimError>;
  retries: number;
  requestRetries: number;
}> {
  const what = `RRQ ${r.filename}`;
  const a = load();
  if (!a.ok) return { result: a, retries: 0, requestRetries: 0 };
  let address = r.server.address;
  try {
    if (!isIPv4(address)) address = (await dns.lookup(address, 4)).address;
  } catch (e) {
    return {
      result: err(simError('SIM_IO', `${what}: ${(e as Error).message}`)),
      retries: 0,
      requestRetries: 0,
    };
  }
  const options =
    r.blksize > 0
      ? [
          { name: 'blksize', value: String(r.blksize) },
          { name: 'tsize', value: '0' },
        ]
      : [];
  const request = encode({
    op: 'rrq',
    filename: r.filename,
    mode: 'octet',
    options,
  });
  const id = nextId++;
  return new Promise((resolve) => {
    pending.set(id, { what, maxRetries: r.maxRetries, resolve });
    try {
      a.value.start(
        id,
        r.localAddress ?? null,
        address,
        r.server.port,
        request,
        r.packetTimeoutMs,
        r.maxRetries,
        r.keep,
      );
    } catch (e) {
      pending.delete(id);
      resolve({
        result: err(simError('SIM_IO', `TFTP bind: ${(e as Error).message}`)),
        retries: 0,
        requestRetries: 0,
      });
    }
  });
}
