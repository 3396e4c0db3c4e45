/**
 * Driving the pure TFTP machines (src/tftp/machine/send.ts and receive.ts) in their unit tests: events in,
 * actions out, and what those actions put on the wire as short labels.
 */
import type { Action, Step } from '../../src/tftp/machine/machine.ts';

/**
 * Runs `events` through `step` from `s`, collecting the actions in order; `answer` may turn an action into
 * an event that is handled next (an instant disk confirming each write).
 */
export function drive<S, E>(
  step: (s: S, e: E) => Step<S>,
  s: S,
  events: readonly E[],
  answer?: (a: Action) => E | undefined,
): { s: S; actions: Action[] } {
  const actions: Action[] = [];
  const queue = [...events];
  for (let e = queue.shift(); e !== undefined; e = queue.shift()) {
    const r = step(s, e);
    s = r.state;
    actions.push(...r.actions);
    for (const a of answer ? r.actions : []) {
      const reply = answer?.(a);
      if (reply !== undefined) queue.unshift(reply);
    }
  }
  return { s, actions };
}

/** The packets the actions send: D<block>, A<block>, OACK, E<code>. */
export function wire(actions: readonly Action[]): string[] {
  return actions.flatMap((a) => {
    if (a.type !== 'send') return [];
    const p = a.packet;
    switch (p.op) {
      case 'data':
        return [`D${p.block}`];
      case 'ack':
        return [`A${p.block}`];
      case 'oack':
        return ['OACK'];
      case 'error':
        return [`E${p.code}`];
      default:
        return [p.op];
    }
  });
}
