/**
 * The DHCP service's socket over the addon's batched reads and writes (bind-device.c). Datagrams arrive in
 * batches (one recvmmsg per wake-up) and are handed one by one to `message` as views of the receive buffer,
 * valid only during that call. Replies queued with send() during one callback leave together (one sendmmsg)
 * once it returns (a microtask), or at once when the send buffer is full; when the socket buffer is full the
 * rest waits for the socket to be writable (at most MAX_PENDING replies, then new ones are refused).
 */
import { getSystemErrorName } from 'node:util';
import type { BindDeviceAddon } from './native.ts';

/** A DHCP datagram longer than this is cut: nothing past 8 KB of options is DHCP on any network. */
export const SLOT = 8192;
const SLOTS = 32;
const SEND_BYTES = 64 * 1024;
const MAX_SEND = 64; // datagrams per sendmmsg (the addon's MAX_SEND)
const MAX_PENDING = 65_536;

export interface SocketEvents {
  message(buf: Uint8Array): void;
  /** A reply the kernel refused, or that could not be queued (errno name). */
  sendError(code: string): void;
  /** An error of the socket itself (errno name); the socket stays open. */
  error(code: string): void;
}

export interface DhcpSocket {
  /** Queue one datagram to ip:port (IPv4 as an unsigned 32-bit number); the bytes are copied when sent. */
  send(bytes: Uint8Array, ip: number, port: number): void;
  /** Sends what is queued, stops reading and closes the descriptor. */
  close(): void;
}

const errName = (errno: number): string => {
  try {
    return getSystemErrorName(-Math.abs(errno));
  } catch {
    return `errno ${errno}`;
  }
};

export function batchSocket(
  addon: BindDeviceAddon,
  fd: number,
  on: SocketEvents,
): DhcpSocket {
  const recv = new Uint8Array(SLOT * SLOTS);
  const recvMeta = new Uint32Array(SLOTS);
  const out = new Uint8Array(SEND_BYTES);
  const outMeta = new Uint32Array(MAX_SEND * 5);
  // Replies not yet handed to the kernel, oldest at `head`.
  let queue: { bytes: Uint8Array; ip: number; port: number }[] = [];
  let head = 0;
  let scheduled = false;
  let blocked = false; // waiting for the socket to be writable
  let closed = false;

  let gone = false; // the addon's handle is closed
  const flush = (): void => {
    scheduled = false;
    while (!gone && !blocked && head < queue.length) {
      let n = 0;
      let used = 0;
      for (; n < MAX_SEND && head + n < queue.length; n++) {
        const q = queue[head + n]!;
        if (used + q.bytes.length > SEND_BYTES) break;
        out.set(q.bytes, used);
        outMeta[5 * n] = used;
        outMeta[5 * n + 1] = q.bytes.length;
        outMeta[5 * n + 2] = q.ip >>> 0;
        outMeta[5 * n + 3] = q.port;
        used += q.bytes.length;
      }
      const done = addon.sendBatch(handle, n);
      for (let k = 0; k < done; k++)
        if (outMeta[5 * k + 4] !== 0)
          on.sendError(errName(outMeta[5 * k + 4]!));
      head += done;
      if (done < n) {
        blocked = true;
        addon.wantWritable(handle, true);
      }
    }
    if (head === queue.length) {
      queue = [];
      head = 0;
    }
  };

  const handle = addon.openBatch(
    fd,
    recv,
    recvMeta,
    SLOT,
    out,
    outMeta,
    (n: number) => {
      if (n > 0) {
        for (let i = 0; i < n; i++)
          on.message(recv.subarray(i * SLOT, i * SLOT + recvMeta[i]!));
      } else if (n === 0) {
        blocked = false;
        addon.wantWritable(handle, false);
        flush();
      } else on.error(errName(n));
    },
  );

  return {
    send(bytes, ip, port) {
      if (closed) return;
      if (bytes.length > SEND_BYTES) return on.sendError('EMSGSIZE');
      if (queue.length - head >= MAX_PENDING) return on.sendError('ENOBUFS');
      queue.push({ bytes, ip, port });
      if (!scheduled && !blocked) {
        scheduled = true;
        queueMicrotask(flush);
      }
    },
    close() {
      if (closed) return;
      closed = true;
      if (!blocked) flush();
      gone = true;
      addon.closeBatch(handle);
    },
  };
}
