/**
 * A TFTP client (RFC 1350, options RFC 2347/2348/2349) built on the appliance's packet codec: RRQ/WRQ with
 * blksize and tsize, lock-step DATA/ACK, retransmission on timeout, block numbers rolling over at 65536.
 * One UDP socket (a fresh TID) per transfer, bound to the phone's address when it has one. Never throws.
 */
import dgram from 'node:dgram';
import { type Result, ok, err } from '../../src/shared/result.ts';
import { decode, encode, encodeAck, encodeData, encodeError, type TftpPacket, ERR_NOT_FOUND, ERR_ACCESS, ERR_UNKNOWN_TID } from '../../src/tftp/packet.ts';
import { type SimError, simError } from './errors.ts';
import type { BootLocation } from './boot-server.ts';
import { type ClientContext, type FileClient, Collector, joinPath } from './transfer.ts';

export interface TftpOptions {
  /** blksize to ask for; 0 sends no options (plain RFC 1350, 512-byte blocks). */
  readonly blksize: number;
  /** Wait for a packet before retransmitting (ms). */
  readonly packetTimeoutMs: number;
  /** Retransmissions of one packet before giving up. */
  readonly maxRetries: number;
}

export const DEFAULT_TFTP: TftpOptions = { blksize: 1468, packetTimeoutMs: 1000, maxRetries: 5 };

type Incoming = { packet: TftpPacket; port: number; address: string };

/** One UDP socket with a queue of decoded packets; malformed packets are dropped and counted. */
async function openSocket(localAddress: string | undefined): Promise<Result<{ sock: dgram.Socket; next(timeoutMs: number): Promise<Incoming | 'timeout'>; malformed: () => number }, SimError>> {
  const sock = dgram.createSocket('udp4');
  const queue: Incoming[] = [];
  let waiter: ((v: Incoming | 'timeout') => void) | undefined;
  let malformed = 0;
  sock.on('message', (msg, rinfo) => {
    const d = decode(msg);
    if (!d.ok) { malformed++; return; }
    const inc = { packet: d.value, port: rinfo.port, address: rinfo.address };
    const w = waiter;
    if (w) { waiter = undefined; w(inc); } else queue.push(inc);
  });
  sock.on('error', () => { /* reported as timeouts */ });
  try {
    await new Promise<void>((resolve, reject) => { sock.once('error', reject); sock.bind({ port: 0, ...(localAddress ? { address: localAddress } : {}) }, () => { sock.off('error', reject); resolve(); }); });
  } catch (e) {
    sock.close();
    return err(simError('SIM_IO', `TFTP bind: ${(e as Error).message}`));
  }
  return ok({
    sock,
    malformed: () => malformed,
    next: (timeoutMs) => {
      const q = queue.shift();
      if (q) return Promise.resolve(q);
      return new Promise((resolve) => {
        const t = setTimeout(() => { waiter = undefined; resolve('timeout'); }, timeoutMs);
        waiter = (v) => { clearTimeout(t); resolve(v); };
      });
    },
  });
}

const errorFor = (p: { code: number; message: string }, what: string): SimError =>
  simError(p.code === ERR_NOT_FOUND ? 'SIM_NOT_FOUND' : p.code === ERR_ACCESS ? 'SIM_DENIED' : 'SIM_PROTOCOL', `${what}: TFTP error ${p.code} ${p.message}`);

type Socket = { sock: dgram.Socket; next(timeoutMs: number): Promise<Incoming | 'timeout'> };

/**
 * One transfer's conversation with the server: sends go to the server's TID once its first answer names it,
 * the last packet is retransmitted on each timeout (up to maxRetries since the last progress), and packets
 * from any other port are answered with ERROR 5.
 */
function conversation(s: Socket, first: { port: number; address: string }, opts: TftpOptions, what: string, onRetry: () => void) {
  let dest = first;
  let tid: number | undefined;
  let tries = 0;
  let last: Buffer = Buffer.alloc(0);
  return {
    /** Send a new packet (progress: the retry count starts again); `sent` runs once it has left. */
    send(b: Buffer, sent?: () => void): void { last = b; tries = 0; s.sock.send(b, dest.port, dest.address, sent); },
    /** Send the last packet again (the server repeated itself: our answer was lost). */
    repeat(): void { s.sock.send(last, dest.port, dest.address); },
    async receive(): Promise<Result<TftpPacket, SimError>> {
      for (;;) {
        const inc = await s.next(opts.packetTimeoutMs);
        if (inc === 'timeout') {
          if (++tries > opts.maxRetries) return err(simError('SIM_TIMEOUT', `${what}: no answer after ${opts.maxRetries} retransmissions`));
          onRetry();
          s.sock.send(last, dest.port, dest.address);
          continue;
        }
        if (tid === undefined) { tid = inc.port; dest = { port: tid, address: inc.address }; }
        else if (inc.port !== tid) { s.sock.send(encodeError(ERR_UNKNOWN_TID, 'unknown transfer id'), inc.port, inc.address); continue; }
        return ok(inc.packet);
      }
    },
  };
}

export function createTftpClient(loc: BootLocation, ctx: ClientContext, opts: TftpOptions = DEFAULT_TFTP): FileClient {
  let retries = 0;
  const host = loc.host;

  const get = async (path: string, keep = true) => {
    const full = joinPath(loc.base, path);
    const what = `RRQ ${full}`;
    const s = await openSocket(ctx.localAddress);
    if (!s.ok) return s;
    const c = conversation(s.value, { port: loc.port, address: host }, opts, what, () => { retries++; });
    try {
      const options = opts.blksize > 0 ? [{ name: 'blksize', value: String(opts.blksize) }, { name: 'tsize', value: '0' }] : [];
      let blksize = 512;
      let expected = 1;
      const col = new Collector(keep);
      c.send(encode({ op: 'rrq', filename: full, mode: 'octet', options }));
      for (;;) {
        const r = await c.receive();
        if (!r.ok) return r;
        const p = r.value;
        if (p.op === 'error') return err(errorFor(p, what));
        if (p.op === 'oack' && expected === 1 && col.bytes === 0) {
          const b = p.options.find((o) => o.name.toLowerCase() === 'blksize');
          if (b) blksize = Number(b.value);
          if (!(blksize >= 8 && blksize <= 65464)) { c.send(encodeError(8, 'bad blksize')); return err(simError('SIM_PROTOCOL', `${what}: OACK blksize ${b?.value}`)); }
          c.send(encodeAck(0));
          continue;
        }
        if (p.op !== 'data') continue;
        if (p.block === (expected & 0xffff)) {
          col.add(p.data);
          if (p.data.length < blksize) {
            // Let the final ACK leave before the socket closes, or the server keeps resending the last block.
            await new Promise<void>((resolve) => c.send(encodeAck(p.block), resolve));
            return ok(col.done());
          }
          c.send(encodeAck(p.block));
          expected++;
        } else if (p.block === ((expected - 1) & 0xffff)) {
          c.repeat(); // our ACK was lost: repeat it
        }
      }
    } finally {
      s.value.sock.close();
    }
  };

  const put = async (path: string, data: Buffer): Promise<Result<void, SimError>> => {
    const full = joinPath(loc.base, path);
    const what = `WRQ ${full}`;
    const s = await openSocket(ctx.localAddress);
    if (!s.ok) return s;
    const c = conversation(s.value, { port: loc.port, address: host }, opts, what, () => { retries++; });
    try {
      const options = opts.blksize > 0 ? [{ name: 'blksize', value: String(opts.blksize) }, { name: 'tsize', value: String(data.length) }] : [];
      let blksize = 512;
      let block = 0; // last block sent (0 = the request)
      const blocks = (): number => Math.floor(data.length / blksize) + 1;
      c.send(encode({ op: 'wrq', filename: full, mode: 'octet', options }));
      for (;;) {
        const r = await c.receive();
        if (!r.ok) return r;
        const p = r.value;
        if (p.op === 'error') return err(simError(p.code === ERR_NOT_FOUND || p.code === ERR_ACCESS || p.code === 6 || p.code === 3 ? 'SIM_UPLOAD_REJECTED' : 'SIM_PROTOCOL', `${what}: TFTP error ${p.code} ${p.message}`));
        let acked: number | undefined;
        if (p.op === 'oack' && block === 0) {
          const b = p.options.find((o) => o.name.toLowerCase() === 'blksize');
          if (b) blksize = Number(b.value);
          if (!(blksize >= 8 && blksize <= 65464)) return err(simError('SIM_PROTOCOL', `${what}: OACK blksize ${b?.value}`));
          acked = 0;
        } else if (p.op === 'ack' && p.block === (block & 0xffff)) acked = block;
        if (acked === undefined) continue;
        if (block >= blocks()) return ok(undefined);
        block++;
        const start = (block - 1) * blksize;
        c.send(encodeData(block & 0xffff, data.subarray(start, Math.min(start + blksize, data.length))));
      }
    } finally {
      s.value.sock.close();
    }
  };

  return {
    get: (path, _ua, keep = true) => get(path, keep),
    put: (path, data) => put(path, data),
    retries: () => retries,
    async close() { /* one socket per transfer, already closed */ },
  };
}
