/**
 * The NOTIFY client: one UDP socket, one client transaction per phone (timers.ts), responses matched to their
 * transaction by the top Via branch. A datagram that does not parse, or matches no transaction, is dropped and
 * counted. Each notify() resolves once, with the final response or the reason there was none.
 * createSipClient is the same client as a part of the running appliance: its socket is opened on the first
 * NOTIFY (an appliance nobody sends check-syncs from binds no SIP port), its counters exist from then on.
 */

import { randomBytes } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';
import type { Logger } from 'pino';
import type { Service } from '../shared/service.ts';
import { buildNotify, MAGIC, parseResponse } from './message.ts';
import {
  DEFAULT_TIMERS,
  giveUpAfter,
  nextInterval,
  type SipTimers,
} from './timers.ts';

export interface NotifyTarget {
  readonly address: string;
  readonly port?: number | undefined;
  readonly user?: string | undefined;
  readonly reboot?: boolean | undefined;
}

export interface NotifyOutcome {
  /** 'ok' (2xx), ADMIN_NOTIFY_REJECTED (3xx–6xx), ADMIN_NOTIFY_TIMEOUT (Timer F), ADMIN_NOTIFY_SEND (socket error). */
  readonly result:
    | 'ok'
    | 'ADMIN_NOTIFY_REJECTED'
    | 'ADMIN_NOTIFY_TIMEOUT'
    | 'ADMIN_NOTIFY_SEND';
  readonly status: number | undefined;
  readonly reason: string | undefined;
  /** Transmissions: 1 + retransmissions. */
  readonly attempts: number;
  readonly ms: number;
}

export interface NotifierStats {
  sent: number;
  retransmits: number;
  responses: number;
  malformed: number;
  stray: number;
}

export interface Notifier {
  notify(target: NotifyTarget): Promise<NotifyOutcome>;
  stats(): NotifierStats;
  readonly port: number;
  close(): Promise<void>;
}

export async function createNotifier(opts: {
  localAddress: string;
  bindAddress?: string | undefined;
  port?: number;
  timers?: Partial<SipTimers>;
  log: Logger;
}): Promise<Notifier> {
  const timers: SipTimers = { ...DEFAULT_TIMERS, ...opts.timers };
  const stats: NotifierStats = {
    sent: 0,
    retransmits: 0,
    responses: 0,
    malformed: 0,
    stray: 0,
  };
  const pending = new Map<
    string,
    {
      onResponse(status: number, reason: string): void;
      abort(reason: string): void;
    }
  >();
  let closed = false;
  const socket: Socket = createSocket({ type: 'udp4', reuseAddr: false });
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(opts.port ?? 0, opts.bindAddress, () => {
      socket.removeListener('error', reject);
      resolve();
    });
  });
  const port = socket.address().port;
  socket.on('error', (e) =>
    opts.log.warn(
      { code: 'ADMIN_NOTIFY_SEND', err: e.message },
      'notify socket error',
    ),
  );
  socket.on('message', (buf) => {
    const r = parseResponse(buf);
    if (!r.ok) {
      stats.malformed++;
      return;
    }
    const tx = pending.get(r.value.branch);
    if (!tx || !/^1 NOTIFY$/i.test(r.value.cseq.replace(/\s+/g, ' '))) {
      stats.stray++;
      return;
    }
    stats.responses++;
    tx.onResponse(r.value.status, r.value.reason);
  });

  const notify = (target: NotifyTarget): Promise<NotifyOutcome> =>
    new Promise((resolve) => {
      const branch = randomBytes(8).toString('hex');
      const key = `${MAGIC}${branch}`;
      const msg = Buffer.from(
        buildNotify({
          target: {
            address: target.address,
            port: target.port ?? 5060,
            user: target.user,
          },
          local: { address: opts.localAddress, port },
          branch,
          fromTag: randomBytes(6).toString('hex'),
          callId: randomBytes(10).toString('hex'),
          reboot: target.reboot,
        }),
        'latin1',
      );
      const started = performance.now();
      let attempts = 0;
      let interval = timers.t1;
      let proceeding = false;
      let timerE: NodeJS.Timeout | undefined;
      let done = false;
      const finish = (o: Omit<NotifyOutcome, 'attempts' | 'ms'>): void => {
        if (done) return;
        done = true;
        clearTimeout(timerE);
        clearTimeout(timerF);
        pending.delete(key);
        resolve({
          ...o,
          attempts,
          ms: Math.round(performance.now() - started),
        });
      };
      const send = (): void => {
        attempts++;
        if (attempts > 1) stats.retransmits++;
        else stats.sent++;
        try {
          socket.send(msg, target.port ?? 5060, target.address, (e) => {
            if (e)
              finish({
                result: 'ADMIN_NOTIFY_SEND',
                status: undefined,
                reason: e.message,
              });
          });
        } catch (e) {
          finish({
            result: 'ADMIN_NOTIFY_SEND',
            status: undefined,
            reason: (e as Error).message,
          });
        }
      };
      const fireE = (): void => {
        if (done) return;
        send();
        interval = nextInterval(interval, timers, proceeding);
        timerE = setTimeout(fireE, interval);
      };
      const timerF = setTimeout(
        () =>
          finish({
            result: 'ADMIN_NOTIFY_TIMEOUT',
            status: undefined,
            reason: `no final response within ${giveUpAfter(timers)} ms`,
          }),
        giveUpAfter(timers),
      );
      pending.set(key, {
        onResponse(status, reason) {
          if (status < 200) {
            if (!proceeding) {
              proceeding = true;
              clearTimeout(timerE);
              interval = timers.t2;
              timerE = setTimeout(fireE, interval);
            }
            return;
          }
          finish({
            result: status < 300 ? 'ok' : 'ADMIN_NOTIFY_REJECTED',
            status,
            reason,
          });
        },
        abort(reason) {
          finish({ result: 'ADMIN_NOTIFY_SEND', status: undefined, reason });
        },
      });
      if (closed) {
        finish({
          result: 'ADMIN_NOTIFY_SEND',
          status: undefined,
          reason: 'notifier closed',
        });
        return;
      }
      send();
      timerE = setTimeout(fireE, interval);
    });

  return {
    notify,
    port,
    stats: () => ({ ...stats }),
    close: () => {
      closed = true;
      for (const tx of [...pending.values()]) tx.abort('notifier closed');
      return new Promise<void>((r) => {
        try {
          socket.close(() => r());
        } catch {
          r();
        }
      });
    },
  };
}

export interface SipClientOptions {
  /** Address written into Via/From/Contact. */
  readonly localAddress: () => string;
  readonly bindAddress?: string | undefined;
  readonly timers?: Partial<SipTimers> | undefined;
  readonly log: Logger;
}

export type SipClient = Service & {
  notifier(): Promise<Notifier>;
  stats(): NotifierStats | undefined;
};

export function createSipClient(opts: SipClientOptions): SipClient {
  let started: Promise<Notifier> | undefined;
  let ready: Notifier | undefined;
  return {
    name: 'sip',
    notifier: () =>
      (started ??= createNotifier({
        localAddress: opts.localAddress(),
        bindAddress: opts.bindAddress,
        timers: opts.timers,
        log: opts.log,
      }).then((n) => (ready = n))),
    stats: () => ready?.stats(),
    async close() {
      if (started) await (await started).close();
    },
  };
}
