/**
 * Time as the TFTP shell sees it, injected so tests can drive timeouts by hand. A transfer owns one
 * retransmit timer that it re-arms on every send (refresh() keeps that cheap in the hot loop).
 */
export interface Timer {
  /** Fire once after ms (replacing any pending deadline). */
  arm(ms: number): void;
  cancel(): void;
}

export interface Clock {
  now(): number;
  timer(onFire: () => void): Timer;
}

export const realClock: Clock = {
  now: () => performance.now(),
  timer(onFire) {
    let t: NodeJS.Timeout | undefined;
    let armedMs = -1;
    return {
      arm(ms) {
        if (t !== undefined && ms === armedMs) {
          t.refresh();
          return;
        }
        if (t !== undefined) clearTimeout(t);
        armedMs = ms;
        t = setTimeout(() => {
          t = undefined;
          onFire();
        }, ms);
      },
      cancel() {
        if (t !== undefined) clearTimeout(t);
        t = undefined;
      },
    };
  },
};
