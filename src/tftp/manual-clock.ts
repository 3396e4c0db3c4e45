/**
 * A clock for tests whose time moves only when the test says (advanceTo, or to the next armed deadline), so
 * a retransmission or a wait ends exactly when the policy says and no test waits for real time.
 */
import type { Clock, Timer } from './clock.ts';

/** A clock whose time moves only when the harness says (to the next armed deadline). */
export function manualClock(): Clock & {
  nextDeadline(): number | undefined;
  advanceTo(t: number): void;
} {
  let now = 0;
  const timers: { at: number | undefined; fire: () => void }[] = [];
  return {
    now: () => now,
    timer(fire): Timer {
      const t = { at: undefined as number | undefined, fire };
      timers.push(t);
      return {
        arm(ms) {
          t.at = now + ms;
        },
        cancel() {
          t.at = undefined;
        },
      };
    },
    nextDeadline() {
      const armed = timers.flatMap((t) => (t.at === undefined ? [] : [t.at]));
      return armed.length > 0 ? Math.min(...armed) : undefined;
    },
    advanceTo(at) {
      now = at;
      for (const t of timers)
        if (t.at !== undefined && t.at <= at) {
          t.at = undefined;
          t.fire();
        }
    },
  };
}
