/**
 * One TFTP conversation of phonesim's client (uploads; downloads run natively in tftp-download.c with the
 * same rules): its own UDP socket on a fresh port (a fresh TID), the server's TID taken from its first
 * answer, ERROR 5 to strangers, malformed datagrams dropped, the last packet resent on timeout.
 */
import dgram from 'node:dgram';
import dns from 'node:dns';
import { isIPv4 } from 'node:net';
import { err, ok, type Result } from '../../src/shared/result.ts';
import {
  decode,
  ERR_UNKNOWN_TID,
  encodeError,
  OP_ACK,
  OP_DATA,
  type TftpPacket,
} from '../../src/tftp/codec/packet.ts';
import { type SimError, simError } from './errors.ts';

/** How long to wait for a packet before retransmitting (ms), and how many retransmissions without progress. */
export interface Retransmit {
  readonly packetTimeoutMs: number;
  readonly maxRetries: number;
}

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
export class Conversation<T> {
  private readonly sock: dgram.Socket;
  private readonly opts: Retransmit;
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
    opts: Retransmit,
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
export async function converse<T>(
  localAddress: string | undefined,
  server: { port: number; address: string },
  opts: Retransmit,
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
