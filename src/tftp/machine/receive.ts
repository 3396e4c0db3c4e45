/**
 * The receiving side of a transfer (serving a WRQ) as a pure reducer:
 * OACK or ACK 0 → DATA blocks in order (an ACK after every `windowsize` blocks) → a short block ends the
 * upload → commit → final ACK → linger one timeout to re-ACK a repeated last block → close.
 *
 * An ACK is sent only once the blocks it covers are written (backpressure: a refused write, e.g. over the
 * size cap, stops the peer at the next window), and the final ACK only after the upload is committed, so a
 * client that saw it knows the file is stored.
 * A block out of order (lost one, or a repeat after our ACK was lost) is answered with an ACK of the last
 * block received in order, at most once until progress is made; our own timer resends that ACK otherwise.
 */

import {
  type Action,
  backoff,
  ending,
  type ReceiveEvent,
  SERVER_ENDS,
  type Step,
  sendError,
  type TransferConfig,
} from './machine.ts';

export interface ReceiveState {
  readonly phase: 'init' | 'receiving' | 'committing' | 'lingering' | 'done';
  readonly cfg: TransferConfig;
  /** Absolute number of the next block expected (1, 2, … past 65535). */
  readonly expected: number;
  /** Blocks received since the last ACK we sent. */
  readonly sinceAck: number;
  /** An out-of-order block was already answered since the last progress. */
  readonly nudged: boolean;
  /** Writes asked for and not yet confirmed. */
  readonly unwritten: number;
  /** A window is complete: ACK it once the writes are confirmed. */
  readonly ackDue: boolean;
  readonly retries: number;
  readonly bytes: number;
}

export function initialReceive(cfg: TransferConfig): ReceiveState {
  return {
    phase: 'init',
    cfg,
    expected: 1,
    sinceAck: 0,
    nudged: false,
    unwritten: 0,
    ackDue: false,
    retries: 0,
    bytes: 0,
  };
}

/** What we last told the peer: the OACK before any block arrived, else ACK of the last block in order. */
function lastReply(s: ReceiveState): Action {
  if (s.expected === 1 && s.cfg.oack)
    return { type: 'send', packet: { op: 'oack', options: s.cfg.oack } };
  return {
    type: 'send',
    packet: { op: 'ack', block: (s.expected - 1) & 0xffff },
  };
}

const end = (
  s: ReceiveState,
  result: string,
  message: string,
  extra: Action[] = [],
): Step<ReceiveState> => ({
  state: { ...s, phase: 'done' },
  actions: ending(result, message, s.bytes, extra),
});

export function stepReceive(
  s: ReceiveState,
  e: ReceiveEvent,
): Step<ReceiveState> {
  if (s.phase === 'done') return { state: s, actions: [] };
  const arm = (retries: number): Action => ({
    type: 'arm',
    ms: backoff(s.cfg.retry, retries),
  });
  switch (e.type) {
    case 'start': {
      if (s.phase !== 'init') return { state: s, actions: [] };
      const next: ReceiveState = { ...s, phase: 'receiving' };
      return { state: next, actions: [lastReply(next), arm(0)] };
    }

    case 'data': {
      if (s.phase === 'lingering') {
        // The peer missed our final ACK and repeats its last block.
        if (e.block === ((s.expected - 1) & 0xffff))
          return {
            state: s,
            actions: [{ type: 'note', what: 'duplicate' }, lastReply(s)],
          };
        return { state: s, actions: [{ type: 'note', what: 'unexpected' }] };
      }
      if (s.phase !== 'receiving') return { state: s, actions: [] };
      if (e.block !== (s.expected & 0xffff)) {
        if (s.nudged)
          return { state: s, actions: [{ type: 'note', what: 'duplicate' }] };
        return {
          state: { ...s, nudged: true },
          actions: [{ type: 'note', what: 'duplicate' }, lastReply(s)],
        };
      }
      if (e.data.length > s.cfg.blksize) {
        return end(
          s,
          'TFTP_PROTOCOL',
          `DATA of ${e.data.length} bytes exceeds blksize ${s.cfg.blksize}`,
          [
            {
              type: 'send',
              packet: {
                op: 'error',
                code: 4,
                message: 'block larger than the negotiated blksize',
              },
            },
          ],
        );
      }
      const writes = e.data.length > 0 ? 1 : 0;
      const got: ReceiveState = {
        ...s,
        expected: s.expected + 1,
        bytes: s.bytes + e.data.length,
        retries: 0,
        nudged: false,
        sinceAck: s.sinceAck + 1,
        unwritten: s.unwritten + writes,
      };
      const actions: Action[] = [];
      if (writes) actions.push({ type: 'write', data: e.data });
      if (e.data.length < s.cfg.blksize) {
        actions.push({ type: 'commit' }, arm(s.cfg.retry.maxRetries)); // the timer only guards a stuck commit
        return { state: { ...got, phase: 'committing' }, actions };
      }
      if (got.sinceAck >= s.cfg.windowsize) {
        if (got.unwritten > 0)
          return {
            state: { ...got, sinceAck: 0, ackDue: true },
            actions: [...actions, arm(0)],
          };
        actions.push(lastReply(got), arm(0));
        return { state: { ...got, sinceAck: 0 }, actions };
      }
      actions.push(arm(0));
      return { state: got, actions };
    }

    case 'written': {
      const unwritten = Math.max(0, s.unwritten - 1);
      if (s.phase === 'receiving' && unwritten === 0 && s.ackDue) {
        const next: ReceiveState = { ...s, unwritten, ackDue: false };
        return { state: next, actions: [lastReply(next), arm(0)] };
      }
      return { state: { ...s, unwritten }, actions: [] };
    }

    case 'committed': {
      if (s.phase !== 'committing') return { state: s, actions: [] };
      const next: ReceiveState = { ...s, phase: 'lingering', sinceAck: 0 };
      return {
        state: next,
        actions: [
          lastReply(next),
          {
            type: 'finish',
            result: 'ok',
            message: 'upload stored',
            bytes: s.bytes,
          },
          arm(0),
        ],
      };
    }

    case 'ioError':
      return end(s, e.result, e.message, [
        {
          type: 'send',
          packet: { op: 'error', code: e.code, message: e.message },
        },
      ]);

    case 'timeout': {
      if (s.phase === 'lingering')
        return { state: { ...s, phase: 'done' }, actions: [{ type: 'close' }] };
      if (s.phase === 'committing')
        return end(s, 'TFTP_TIMEOUT', 'upload commit did not finish');
      const retries = s.retries + 1;
      if (retries > s.cfg.retry.maxRetries) {
        return end(s, 'TFTP_TIMEOUT', 'peer stopped sending', [
          sendError('timed out'),
        ]);
      }
      return {
        state: { ...s, retries, sinceAck: 0 },
        actions: [
          { type: 'note', what: 'retransmit' },
          lastReply(s),
          arm(retries),
        ],
      };
    }

    case 'peerError':
      if (s.phase === 'lingering')
        return { state: { ...s, phase: 'done' }, actions: [{ type: 'close' }] };
      return end(
        s,
        'TFTP_PEER_ERROR',
        `peer sent error ${e.code}: ${e.message}`,
      );

    case 'shutdown':
    case 'expired': {
      // Lingering, the upload is already stored: only the re-ACK window is cut short.
      if (s.phase === 'lingering')
        return { state: { ...s, phase: 'done' }, actions: [{ type: 'close' }] };
      const why = SERVER_ENDS[e.type];
      return end(s, why.result, why.message, [sendError(why.message)]);
    }
  }
}
