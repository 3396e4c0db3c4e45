/**
 * What the server says about its own clock, from the host's sync state: stratum 3 and the kernel's error
 * estimate while synchronised (its upstream is not ours to see), else the configured local stratum with
 * reference id LOCL and a small fixed dispersion, as chrony's `local stratum` does. Pure, for tests.
 */
import {
  ntpFromUnixNs,
  refIdAscii,
  type ServerClock,
  shortFromSeconds,
} from './codec/packet.ts';
import type { SyncState } from './host-clock.ts';

/** Stratum announced while the host clock is synchronised. */
export const SYNCED_STRATUM = 3;
/** 2^-20 s ≈ 1 µs: the resolution of the timestamps handed out. */
export const PRECISION = -20;
/** Root dispersion of the local clock: small enough for every client's distance check (chrony: 3 s). */
export const LOCAL_DISPERSION_S = 0.01;

export function serverClockFor(
  state: SyncState,
  localStratum: number,
  nowNs: bigint,
): ServerClock {
  const referenceTime = ntpFromUnixNs(
    (nowNs / 1_000_000_000n) * 1_000_000_000n,
  );
  if (state.synchronised) {
    return {
      leap: 0,
      stratum: SYNCED_STRATUM,
      precision: PRECISION,
      rootDelay: 0,
      rootDispersion: shortFromSeconds(
        Math.min(state.maxErrorS ?? LOCAL_DISPERSION_S, 1),
      ),
      referenceId: refIdAscii('HOST'),
      referenceTime,
    };
  }
  return {
    leap: 0,
    stratum: localStratum,
    precision: PRECISION,
    rootDelay: 0,
    rootDispersion: shortFromSeconds(LOCAL_DISPERSION_S),
    referenceId: refIdAscii('LOCL'),
    referenceTime,
  };
}
