/**
 * A TFTP client (RFC 1350, options RFC 2347/2348/2349) built on the appliance's packet codec: RRQ/WRQ with
 * blksize and tsize, lock-step DATA/ACK, retransmission on timeout, block numbers rolling over at 65536.
 * One UDP socket (a fresh TID) per transfer, bound to the phone's address when it has one. Never throws.
 *
 * Downloads run in the native loop of tftp-download.c (one process simulates hundreds of phones downloading at
 * once in a boot storm: the per-block work stays out of JavaScript). Uploads (logs, call lists, overrides: a
 * few blocks each) are the conversation below: a callback-driven state machine with one re-armed timer, the
 * same rules as the native loop (server TID from its first answer, ERROR 5 to strangers, malformed datagrams
 * dropped, the last packet resent on timeout).
 */
import dgram from 'node:dgram';
import dns from 'node:dns';
import { isIPv4 } from 'node:net';
import { err, ok, type Result } from '../../src/shared/result.ts';
import {
  decode,
  ERR_ACCESS,
  ERR_NOT_FOUND,
  ERR_UNKNOWN_TID,
  encode,
  encodeData,
  encodeError,
  OP_ACK,
  OP_DATA,
  type TftpPacket,
} from '../../src/tftp/codec/packet.ts';
import type { BootLocation } from './boot-server.ts';
import { type SimError, simError } from './errors.ts';
import { download, oackBlksize } from './tftp-download.ts';
import {
  type ClientContext,
  type Fetched,
  type FileClient,
  joinPath,
} from './transfer.ts';

export interface TftpOptions {
  /** blksize to ask for; 0 sends no options (plain RFC 1350, 512-byte blocks). */
  readonly blksize: number;
  /** Wait for a packet before retransmitting (ms). */
  readonly packetTimeoutMs: number;
  /** Retransmissions of one packet before giving up. */
  readonly maxRetries: number;
}

export const DEFAULT_TFTP: TftpOptions = {
  blksize: 1468,
  packetTimeoutMs: 1000,
  maxRetries: 5,
};

type LookupCallback = (
  err: NodeJS.ErrnoException | null,
  address: string,
  family: number,
) => void;

let lastLiteral = '';
/**
 * dgram's lookup: an IPv4 literal (the server's address once its TID is known, and usually from the start)
 * answers at once, so the datagram leaves inside send(); a host name goes to dns.lookup as by default.
 */
function lookup(address: string, _options: unknown, cb: LookupCallback): void {
  if (address === lastLiteral || isIPv4(address)) {
    lastLiteral = address;
    cb(null, address, 4);
    return;
  }
  dns.lookup(address, 4, cb);
}

/**
 * What a transfer does with a packet from the server's TID: its opcode, the datagram, and its decoding; DATA
 * (4 bytes or more) and ACK (exactly 4) are not decoded (`p` undefined): read the block from msg[2..3].
 */
type Handler = (op: number, msg: Buffer, p: TftpPacket | undefined) => void;

/**
 * One transfer's conversation with the server over its own socket: sends go to the server's TID once its first
 * answer names it, the last packet is retransmitted each time packetTimeoutMs pass without a packet (up to
 * maxRetries since the last progress), packets from any other port are answered with ERROR 5, and malformed
 * datagrams are dropped (and counted). `finish` closes the socket and settles the transfer once.
 */
class Conversation<T> {
  private readonly sock: dgram.Socket;
  private readonly opts: TftpOptions;
  private readonly what: string;
  private readonly onRetry: () => void;
  private readonly settle: (r: Result<T, SimError>) => void;
  private handler: Handler = () => {};
  private port: number;
  private address: string;
  private tid = -1;
  private tries = 0;
  private last: Buffer = Buffer.alloc(0);
  private timer: NodeJS.Timeout | undefined;
  private over = false;
  malformed = 0;

  constructor(
    sock: dgram.Socket,
    first: { port: number; address: string },
    opts: TftpOptions,
    what: string,
    onRetry: () => void,
    settle: (r: Result<T, SimError>) => void,
  ) {
    this.sock = sock;
    this.port = first.port;
    this.address = first.address;
    this.opts = opts;
    this.what = what;
    this.onRetry = onRetry;
    this.settle = settle;
    sock.on('message', (msg, rinfo) =>
      this.onMessage(msg, rinfo.port, rinfo.address),
    );
  }

  /** Send the request and start waiting; `handler` gets every packet of the server from then on. */
  start(request: Buffer, handler: Handler): void {
    this.handler = handler;
    this.send(request);
    this.timer = setTimeout(() => this.onTimeout(), this.opts.packetTimeoutMs);
  }

  /** Send a new packet (progress: the retry count starts again). */
  send(b: Buffer): void {
    this.last = b;
    this.tries = 0;
    this.sock.send(b, this.port, this.address);
  }

  /** End the transfer now: stop the timer, close the socket, settle. */
  finish(r: Result<T, SimError>): void {
    if (this.over) return;
    this.over = true;
    clearTimeout(this.timer);
    this.sock.close();
    this.settle(r);
  }

  private onMessage(msg: Buffer, port: number, address: string): void {
    if (this.over) return;
    const len = msg.length;
    const op = len >= 2 ? (msg[0]! << 8) | msg[1]! : -1;
    let p: TftpPacket | undefined;
    if (!((op === OP_DATA && len >= 4) || (op === OP_ACK && len === 4))) {
      const d = decode(msg);
      if (!d.ok) {
        this.malformed++;
        return;
      }
      p = d.value;
    }
    // Any well-formed packet restarts the wait, as each receive did in the per-packet version.
    this.timer?.refresh();
    if (this.tid === -1) {
      this.tid = port;
      this.port = port;
      this.address = address;
    } else if (port !== this.tid) {
      this.sock.send(
        encodeError(ERR_UNKNOWN_TID, 'unknown transfer id'),
        port,
        address,
      );
      return;
    }
    try {
      this.handler(op, msg, p);
    } catch (e) {
      this.finish(
        err(simError('SIM_IO', `${this.what}: ${(e as Error).message}`)),
      );
    }
  }

  private onTimeout(): void {
    if (this.over) return;
    if (++this.tries > this.opts.maxRetries) {
      this.finish(
        err(
          simError(
            'SIM_TIMEOUT',
            `${this.what}: no answer after ${this.opts.maxRetries} retransmissions`,
          ),
        ),
      );
      return;
    }
    this.onRetry();
    this.sock.send(this.last, this.port, this.address);
    this.timer!.refresh();
  }
}

/** A socket bound to a fresh port (on localAddress when given). */
async function openSocket(
  localAddress: string | undefined,
): Promise<Result<dgram.Socket, SimError>> {
  const sock = dgram.createSocket({ type: 'udp4', lookup });
  sock.on('error', () => {
    /* reported as timeouts */
  });
  try {
    await new Promise<void>((resolve, reject) => {
      sock.once('error', reject);
      sock.bind(
        { port: 0, ...(localAddress ? { address: localAddress } : {}) },
        () => {
          sock.off('error', reject);
          resolve();
        },
      );
    });
  } catch (e) {
    sock.close();
    return err(simError('SIM_IO', `TFTP bind: ${(e as Error).message}`));
  }
  return ok(sock);
}

/** Open a socket and run one conversation on it; `run` sends the request. */
async function converse<T>(
  localAddress: string | undefined,
  server: { port: number; address: string },
  opts: TftpOptions,
  what: string,
  onRetry: () => void,
  run: (c: Conversation<T>) => void,
): Promise<Result<T, SimError>> {
  const s = await openSocket(localAddress);
  if (!s.ok) return s;
  return new Promise((resolve) => {
    const c = new Conversation<T>(
      s.value,
      server,
      opts,
      what,
      onRetry,
      resolve,
    );
    try {
      run(c);
    } catch (e) {
      c.finish(err(simError('SIM_IO', `${what}: ${(e as Error).message}`)));
    }
  });
}

const blockOf = (msg: Buffer): number => (msg[2]! << 8) | msg[3]!;

export function createTftpClient(
  loc: BootLocation,
  ctx: ClientContext,
  opts: TftpOptions = DEFAULT_TFTP,
): FileClient {
  let retries = 0;
  const by = { 'tftp-request': 0, 'tftp-block': 0, 'tftp-upload': 0 };
  const onRetry = (): void => {
    retries++;
    by['tftp-upload']++;
  };
  const server = { port: loc.port, address: loc.host };

  const get = async (
    path: string,
    keep: boolean,
  ): Promise<Result<Fetched, SimError>> => {
    const r = await download({
      localAddress: ctx.localAddress,
      server,
      filename: joinPath(loc.base, path),
      blksize: opts.blksize,
      packetTimeoutMs: opts.packetTimeoutMs,
      maxRetries: opts.maxRetries,
      keep,
    });
    retries += r.retries;
    by['tftp-request'] += r.requestRetries;
    by['tftp-block'] += r.retries - r.requestRetries;
    return r.result;
  };

  const put = (path: string, data: Buffer): Promise<Result<void, SimError>> => {
    const full = joinPath(loc.base, path);
    const what = `WRQ ${full}`;
    return converse<void>(
      ctx.localAddress,
      server,
      opts,
      what,
      onRetry,
      (c) => {
        const options =
          opts.blksize > 0
            ? [
                { name: 'blksize', value: String(opts.blksize) },
                { name: 'tsize', value: String(data.length) },
              ]
            : [];
        let blksize = 512;
        let block = 0; // last block sent (0 = the request)
        const blocks = (): number => Math.floor(data.length / blksize) + 1;
        c.start(
          encode({ op: 'wrq', filename: full, mode: 'octet', options }),
          (op, msg, p) => {
            if (p?.op === 'error') {
              c.finish(
                err(
                  simError(
                    p.code === ERR_NOT_FOUND ||
                      p.code === ERR_ACCESS ||
                      p.code === 6 ||
                      p.code === 3
                      ? 'SIM_UPLOAD_REJECTED'
                      : 'SIM_PROTOCOL',
                    `${what}: TFTP error ${p.code} ${p.message}`,
                  ),
                ),
              );
              return;
            }
            if (p?.op === 'oack' && block === 0) {
              const b = oackBlksize(p, blksize);
              blksize = b.value;
              if (!b.ok) {
                c.finish(
                  err(
                    simError('SIM_PROTOCOL', `${what}: OACK blksize ${b.raw}`),
                  ),
                );
                return;
              }
            } else if (!(op === OP_ACK && blockOf(msg) === (block & 0xffff)))
              return;
            if (block >= blocks()) {
              c.finish(ok(undefined));
              return;
            }
            block++;
            const start = (block - 1) * blksize;
            c.send(
              encodeData(
                block & 0xffff,
                data.subarray(start, Math.min(start + blksize, data.length)),
              ),
            );
          },
        );
      },
    );
  };

  return {
    get: (path, _ua, keep = true) => get(path, keep),
    put: (path, data) => put(path, data),
    retries: () => retries,
    retriesBy: () => ({ ...by }),
    async close() {
      /* one socket per transfer, already closed */
    },
  };
}
