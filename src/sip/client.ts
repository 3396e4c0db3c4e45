/**
 * The check-sync SIP client as a part of the running appliance: its socket is opened on the first NOTIFY
 * (an appliance nobody sends check-syncs from binds no SIP port), its counters exist from then on, and
 * close() aborts what is in flight and closes the socket.
 */
import type { Logger } from 'pino';
import type { Service } from '../shared/service.ts';
import { createNotifier, type Notifier, type NotifierStats } from './sender.ts';
import type { SipTimers } from './timers.ts';

export interface SipClientOptions {
  /** Address written into Via/From/Contact. */
  readonly localAddress: () => string;
  readonly bindAddress?: string | undefined;
  readonly timers?: Partial<SipTimers> | undefined;
  readonly log: Logger;
}

export type SipClient = Service & { notifier(): Promise<Notifier>; stats(): NotifierStats | undefined };

export function createSipClient(opts: SipClientOptions): SipClient {
  let started: Promise<Notifier> | undefined;
  let ready: Notifier | undefined;
  return {
    name: 'sip',
    notifier: () => (started ??= createNotifier({ localAddress: opts.localAddress(), bindAddress: opts.bindAddress, timers: opts.timers, log: opts.log })
      .then((n) => (ready = n))),
    stats: () => ready?.stats(),
    async close() {
      if (started) await (await started).close();
    },
  };
}
