/**
 * One transfer run in this thread: the shell around its machine (runTransfer): its own UDP socket (the
 * server's TID), the peer's TID check, the retransmit timer, and the side effects the machine asks for.
 * Everything stateful about the protocol lives in the machine (machine/send.ts, machine/receive.ts); the
 * shell only moves bytes and events. download.ts and upload.ts start the two kinds from an AcceptedRequest
 * (accepted.ts).
 */
import type { Socket } from 'node:dgram';
import type { Peer } from './accepted.ts';
import type { Clock } from './clock.ts';
import {
  decode,
  ERR_UNKNOWN_TID,
  encode,
  encodeData,
  encodeError,
  OP_DATA,
  type TftpPacket,
} from './codec/packet.ts';
import type { Action, Step } from './machine/machine.ts';
import type { TftpStats } from './stats.ts';

/** Re-exported for native/engine.ts; the accepted request and its refusal are accepted.ts. */
export type { Peer } from './accepted.ts';

export interface Effects {
  read?(): void;
  write?(data: Uint8Array): void;
  commit?(): void;
  /** The outcome (exactly once). */
  finish(result: string, message: string, bytes: number): void;
  /** Socket and timer released; release whatever else is held. */
  closed(): void;
}

export interface Runner<E> {
  dispatch(e: E): void;
  readonly done: boolean;
}

/** Where a running transfer lives: its own socket, its peer, the clock and the server's counters. */
export interface TransferPlace {
  readonly socket: Socket;
  readonly peer: Peer;
  readonly clock: Clock;
  readonly stats: TftpStats;
  /** The transfer ends (the machine's 'expired' event) this long after it started, however it progresses. */
  readonly lifetimeMs: number;
}

export interface RunOptions<S, E> extends TransferPlace {
  readonly step: (s: S, e: E) => Step<S>;
  readonly initial: S;
  /** Turns a packet from the peer into an event; undefined = not meaningful here (counted, ignored). */
  readonly toEvent: (p: TftpPacket) => E | undefined;
  readonly timeoutEvent: E;
  readonly expiredEvent: E;
  readonly effects: Effects;
  /** Reusable DATA datagram buffers (windowsize + 1 lets a whole window go out without allocating). */
  readonly sendSlots?: number;
}

export function runTransfer<S, E>(o: RunOptions<S, E>): Runner<E> {
  const { socket, peer, stats, effects } = o;
  let state = o.initial;
  let closed = false;
  let finished = false;
  let inFlight = 0;
  let closeWhenSent = false;
  const sent = (): void => {
    if (--inFlight === 0 && closeWhenSent) {
      try {
        socket.close();
      } catch {
        /* already closed */
      }
    }
  };
  const timer = o.clock.timer(() => dispatch(o.timeoutEvent));
  const lifetime = o.clock.timer(() => dispatch(o.expiredEvent));
  lifetime.arm(o.lifetimeMs);

  // DATA datagrams are built in a small ring of buffers, each reused once its previous send has completed
  // (Node sends on the next tick and libuv may queue it): a slot is busy until its callback, and a busy
  // slot falls back to a fresh buffer.
  const nSlots = Math.max(1, o.sendSlots ?? 2);
  const slots: (Buffer | undefined)[] = [];
  const busy = new Uint32Array(nSlots);
  const slotSent = Array.from({ length: nSlots }, (_, i) => (): void => {
    busy[i]!--;
    sent();
  });
  let slot = 0;

  const sendData = (block: number, data: Uint8Array): void => {
    const len = 4 + data.length;
    stats.bytesSent += data.length;
    const i = slot;
    slot = (slot + 1) % nSlots;
    let buf = slots[i];
    if (busy[i] !== 0) {
      inFlight++;
      socket.send(encodeData(block, data), peer.port, peer.address, sent);
      return;
    }
    if (buf === undefined || buf.length < len)
      buf = slots[i] = Buffer.allocUnsafeSlow(len);
    buf[0] = 0;
    buf[1] = OP_DATA;
    buf[2] = (block >> 8) & 0xff;
    buf[3] = block & 0xff;
    buf.set(data, 4);
    inFlight++;
    busy[i]!++;
    socket.send(buf, 0, len, peer.port, peer.address, slotSent[i]);
  };

  const send = (p: TftpPacket): void => {
    if (p.op === 'data') {
      sendData(p.block, p.data);
      return;
    }
    inFlight++;
    socket.send(encode(p), peer.port, peer.address, sent);
  };

  const perform = (a: Action): void => {
    switch (a.type) {
      case 'send':
        send(a.packet);
        break;
      case 'arm':
        timer.arm(a.ms);
        break;
      case 'read':
        effects.read?.();
        break;
      case 'write':
        effects.write?.(a.data);
        break;
      case 'commit':
        effects.commit?.();
        break;
      case 'note':
        if (a.what === 'retransmit') stats.retransmits++;
        else if (a.what === 'duplicate') stats.duplicates++;
        else stats.unexpected++;
        break;
      case 'finish':
        if (finished) break;
        finished = true;
        effects.finish(a.result, a.message, a.bytes);
        break;
      case 'close':
        if (closed) break;
        closed = true;
        timer.cancel();
        lifetime.cancel();
        socket.removeAllListeners('message');
        // A send still queued (the final ERROR or ACK) would be dropped by close(): close after it.
        if (inFlight > 0) closeWhenSent = true;
        else
          try {
            socket.close();
          } catch {
            /* already closed */
          }
        effects.closed();
        break;
    }
  };

  // Events raised while an event's actions are performed (a block read synchronously) wait their turn, so
  // each step sees the state the previous one left and actions run in the order the machine gave them.
  const queue: E[] = [];
  let running = false;
  function dispatch(e: E): void {
    if (closed) return;
    if (running) {
      queue.push(e);
      return;
    }
    running = true;
    try {
      for (
        let ev: E | undefined = e;
        ev !== undefined && !closed;
        ev = queue.shift()
      ) {
        const r = o.step(state, ev);
        state = r.state;
        for (const a of r.actions) perform(a);
      }
    } finally {
      running = false;
      queue.length = 0;
    }
  }

  const fromStranger = (
    msg: Buffer,
    rinfo: { address: string; port: number },
  ): void => {
    stats.wrongTid++;
    if (rinfo.port === 0) return; // cannot be answered: dgram.send throws on port 0
    const p = decode(msg);
    // RFC 1350: answer a stranger with ERROR 5 and carry on; never answer an ERROR (no ping-pong).
    if (p.ok && p.value.op !== 'error') {
      try {
        socket.send(
          encodeError(ERR_UNKNOWN_TID, 'unknown transfer ID'),
          rinfo.port,
          rinfo.address,
        );
      } catch {
        /* closing socket */
      }
    }
  };
  socket.on('message', (msg, rinfo) => {
    if (closed) return;
    if (rinfo.address !== peer.address || rinfo.port !== peer.port) {
      fromStranger(msg, rinfo);
      return;
    }
    const p = decode(msg);
    if (!p.ok) {
      stats.malformed++;
      return;
    }
    if (p.value.op === 'data') stats.bytesReceived += p.value.data.length;
    const e = o.toEvent(p.value);
    if (e === undefined) {
      stats.unexpected++;
      return;
    }
    dispatch(e);
  });
  socket.on('error', () => {
    /* send errors (unreachable peer) end in the retransmit timeout */
  });

  return {
    dispatch,
    get done() {
      return closed;
    },
  };
}
