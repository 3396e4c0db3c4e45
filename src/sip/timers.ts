/**
 * RFC 3261 §17.1.2.2, the non-INVITE client transaction over UDP (NOTIFY is non-INVITE): the request is sent,
 * then re-sent when Timer E fires; E starts at T1 and doubles up to T2 ("Trying"), or stays at T2 once a
 * provisional response arrived ("Proceeding"). Timer F = 64*T1 ends the transaction without a final response.
 * (Timer A/B are the INVITE twins with the same doubling from T1 and the same 64*T1 limit, without the T2 cap.)
 * T1 defaults to 500 ms and T2 to 4 s; both are configurable so tests can run the whole schedule in seconds.
 */
export interface SipTimers {
  readonly t1: number;
  readonly t2: number;
}

export const DEFAULT_TIMERS: SipTimers = { t1: 500, t2: 4000 };

/** Next Timer E interval after `current` fired. */
export function nextInterval(
  current: number,
  t: SipTimers,
  proceeding: boolean,
): number {
  return proceeding ? t.t2 : Math.min(2 * current, t.t2);
}

/** Timer F: 64*T1. */
export const giveUpAfter = (t: SipTimers): number => 64 * t.t1;

/** Offsets (ms from the first send) of every transmission when nothing answers: 0, T1, 3T1, 7T1, … < 64*T1. */
export function silentSchedule(t: SipTimers): number[] {
  const out = [0];
  let at = 0;
  let e = t.t1;
  for (;;) {
    at += e;
    if (at >= giveUpAfter(t)) return out;
    out.push(at);
    e = nextInterval(e, t, false);
  }
}
