/**
 * The host clock as the SNTP server sees it: the time in nanoseconds (CLOCK_REALTIME through host-clock.c) and
 * whether the kernel considers it synchronised (ntp_adjtime read-only: state != TIME_ERROR and STA_UNSYNC
 * clear, the test chrony and timedatectl use). Without the addon (no C compiler) it falls back to Date.now()
 * interpolated with the monotonic clock (re-anchored every second) and reports "unknown", treated as not
 * synchronised.
 */
import { join } from 'node:path';
import { loadAddon } from '../shared/native-addon.ts';
import type { Result } from '../shared/result.ts';

export interface SyncState {
  readonly synchronised: boolean;
  /** The kernel's maximum error estimate, seconds (undefined without the addon). */
  readonly maxErrorS: number | undefined;
  readonly source: 'adjtimex' | 'unknown';
}

export interface HostClock {
  nowNs(): bigint;
  syncState(): SyncState;
  /** Which clock is in use: 'native' (ns, kernel state) or 'fallback' (ms anchor). */
  readonly kind: 'native' | 'fallback';
}

interface HostClockAddon {
  nowNs(): bigint;
  syncState(): {
    state: number;
    status: number;
    maxErrorUs: number;
    estErrorUs: number;
  };
}

const TIME_ERROR = 5;
const STA_UNSYNC = 0x0040;

export function loadHostClockAddon(): Result<HostClockAddon, string> {
  return loadAddon<HostClockAddon>(join(import.meta.dirname, 'host-clock.c'));
}

export function nativeHostClock(addon: HostClockAddon): HostClock {
  return {
    kind: 'native',
    nowNs: () => addon.nowNs(),
    syncState() {
      const s = addon.syncState();
      return {
        synchronised: s.state !== TIME_ERROR && (s.status & STA_UNSYNC) === 0,
        maxErrorS: s.maxErrorUs / 1e6,
        source: 'adjtimex',
      };
    },
  };
}

export function fallbackHostClock(): HostClock {
  let anchorWall = 0n;
  let anchorMono = 0n;
  const reanchor = (): void => {
    anchorWall = BigInt(Date.now()) * 1_000_000n;
    anchorMono = process.hrtime.bigint();
  };
  reanchor();
  return {
    kind: 'fallback',
    nowNs() {
      const mono = process.hrtime.bigint();
      if (mono - anchorMono > 1_000_000_000n) {
        reanchor();
        return anchorWall;
      }
      return anchorWall + (mono - anchorMono);
    },
    syncState: () => ({
      synchronised: false,
      maxErrorS: undefined,
      source: 'unknown',
    }),
  };
}

/** The native clock when the addon builds, else the fallback and the reason. */
export function openHostClock(): {
  clock: HostClock;
  warning: string | undefined;
} {
  const a = loadHostClockAddon();
  return a.ok
    ? { clock: nativeHostClock(a.value), warning: undefined }
    : { clock: fallbackHostClock(), warning: a.error };
}
