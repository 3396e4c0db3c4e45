/**
 * The sending side of a transfer (serving an RRQ) as a pure reducer, in the style of vcabbage/go-tftp's
 * sender: optional OACK → wait for ACK 0 → send a window of DATA blocks → slide on ACK → … → last block ACKed.
 *
 * Block numbers are tracked as absolute integers (1, 2, … beyond 65535) and put on the wire modulo 65536, so
 * an image of any size rolls over to block 0 (as tftpd-hpa does). Within a window of at most 65535 blocks an
 * ACK's 16-bit number maps to exactly one absolute block.
 *
 * Duplicate ACKs (for a block already acknowledged) are ignored: only the retransmit timer resends, so a
 * delayed ACK never doubles the traffic (no Sorcerer's Apprentice Syndrome, RFC 1123 §4.2.3.1). An ACK for a
 * block inside the window (RFC 7440: the receiver saw a gap) restarts the window after that block.
 */

import {
  type Action,
  backoff,
  ending,
  SERVER_ENDS,
  type SendEvent,
  type Step,
  sendError,
  type TransferConfig,
} from './machine.ts';

export interface SendState {
  readonly phase: 'init' | 'oack' | 'sending' | 'done';
  readonly cfg: TransferConfig;
  /** Absolute number of the oldest unacknowledged block. */
  readonly base: number;
  /** Absolute number of the next block to put on the wire. */
  readonly next: number;
  /** Data of blocks base, base+1, … read so far (at most windowsize + 1: one is read ahead). */
  readonly blocks: readonly Uint8Array[];
  readonly reading: boolean;
  /** Absolute number of the last block, once it has been read (a block shorter than blksize). */
  readonly last: number | undefined;
  readonly retries: number;
  /** Bytes the peer has acknowledged. */
  readonly acked: number;
}

export function initialSend(cfg: TransferConfig): SendState {
  return {
    phase: 'init',
    cfg,
    base: 1,
    next: 1,
    blocks: [],
    reading: false,
    last: undefined,
    retries: 0,
    acked: 0,
  };
}

const finish = (
  s: SendState,
  result: string,
  message: string,
  extra: Action[] = [],
): Step<SendState> => ({
  state: { ...s, phase: 'done', blocks: [] },
  actions: ending(result, message, s.acked, extra),
});

/** Send what the window allows and ask for the next block when there is room. */
function pump(s: SendState, actions: Action[]): SendState {
  const { windowsize } = s.cfg;
  let next = s.next;
  let sent = false;
  while (next < s.base + windowsize && next - s.base < s.blocks.length) {
    actions.push({
      type: 'send',
      packet: {
        op: 'data',
        block: next & 0xffff,
        data: s.blocks[next - s.base]!,
      },
    });
    next++;
    sent = true;
  }
  let reading = s.reading;
  // Read one block beyond the window, so the next send never waits for the disk.
  if (!reading && s.last === undefined && s.blocks.length <= windowsize) {
    actions.push({ type: 'read' });
    reading = true;
  }
  if (sent) actions.push({ type: 'arm', ms: backoff(s.cfg.retry, s.retries) });
  return { ...s, next, reading };
}

export function stepSend(s: SendState, e: SendEvent): Step<SendState> {
  if (s.phase === 'done') return { state: s, actions: [] };
  const actions: Action[] = [];
  switch (e.type) {
    case 'start':
      if (s.phase !== 'init') return { state: s, actions };
      if (s.cfg.oack) {
        actions.push(
          { type: 'send', packet: { op: 'oack', options: s.cfg.oack } },
          { type: 'arm', ms: backoff(s.cfg.retry, 0) },
          { type: 'read' },
        );
        return { state: { ...s, phase: 'oack', reading: true }, actions };
      }
      return { state: pump({ ...s, phase: 'sending' }, actions), actions };

    case 'block': {
      if (!s.reading) return { state: s, actions };
      const abs = s.base + s.blocks.length;
      const last = e.data.length < s.cfg.blksize ? abs : undefined;
      const next: SendState = {
        ...s,
        blocks: [...s.blocks, e.data],
        reading: false,
        last,
      };
      return {
        state: s.phase === 'sending' ? pump(next, actions) : next,
        actions,
      };
    }

    case 'readError':
      return finish(s, e.result, e.message, [
        {
          type: 'send',
          packet: { op: 'error', code: e.code, message: e.message },
        },
      ]);

    case 'ack': {
      if (s.phase === 'oack') {
        if (e.block !== 0) {
          actions.push({ type: 'note', what: 'unexpected' });
          return { state: s, actions };
        }
        return {
          state: pump({ ...s, phase: 'sending', retries: 0 }, actions),
          actions,
        };
      }
      // Which block in flight does this 16-bit number name? Newest first.
      let k = -1;
      for (let b = s.next - 1; b >= s.base; b--) {
        if ((b & 0xffff) === e.block) {
          k = b;
          break;
        }
      }
      if (k === -1) {
        actions.push({ type: 'note', what: 'duplicate' });
        return { state: s, actions };
      }
      const done = k - s.base + 1;
      let acked = s.acked;
      for (let i = 0; i < done; i++) acked += s.blocks[i]!.length;
      const slid: SendState = {
        ...s,
        base: k + 1,
        next: k + 1,
        blocks: s.blocks.slice(done),
        retries: 0,
        acked,
      };
      if (s.last !== undefined && k === s.last)
        return finish(slid, 'ok', 'transfer complete');
      return { state: pump(slid, actions), actions };
    }

    case 'timeout': {
      const retries = s.retries + 1;
      if (retries > s.cfg.retry.maxRetries) {
        return finish(s, 'TFTP_TIMEOUT', 'peer stopped answering', [
          sendError('timed out'),
        ]);
      }
      actions.push({ type: 'note', what: 'retransmit' });
      if (s.phase === 'oack') {
        actions.push(
          { type: 'send', packet: { op: 'oack', options: s.cfg.oack ?? [] } },
          { type: 'arm', ms: backoff(s.cfg.retry, retries) },
        );
        return { state: { ...s, retries }, actions };
      }
      const rewound = pump({ ...s, retries, next: s.base }, actions);
      if (rewound.next === s.base)
        actions.push({ type: 'arm', ms: backoff(s.cfg.retry, retries) }); // nothing to resend yet (slow read)
      return { state: rewound, actions };
    }

    case 'peerError':
      return finish(
        s,
        'TFTP_PEER_ERROR',
        `peer sent error ${e.code}: ${e.message}`,
      );

    case 'shutdown':
    case 'expired': {
      const end = SERVER_ENDS[e.type];
      return finish(s, end.result, end.message, [sendError(end.message)]);
    }
  }
}
