/**
 * Per-MAC token bucket: a broken client looping DISCOVERs (or a flood with one MAC) costs a counter, not
 * a log line and a lease decision each. State lives in the closure; sweep() forgets idle MACs.
 */
export interface RateLimiter {
  allow(key: string, now: number): boolean;
  sweep(now: number): void;
  size(): number;
}

export function createRateLimiter(opts: { burst: number; perSecond: number }): RateLimiter {
  const buckets = new Map<string, { tokens: number; at: number }>();
  const refill = (b: { tokens: number; at: number }, now: number): void => {
    b.tokens = Math.min(opts.burst, b.tokens + ((now - b.at) / 1000) * opts.perSecond);
    b.at = now;
  };
  return {
    allow(key, now) {
      let b = buckets.get(key);
      if (!b) { b = { tokens: opts.burst, at: now }; buckets.set(key, b); } else refill(b, now);
      if (b.tokens < 1) return false;
      b.tokens -= 1;
      return true;
    },
    sweep(now) {
      for (const [k, b] of buckets) {
        refill(b, now);
        if (b.tokens >= opts.burst) buckets.delete(k);
      }
    },
    size: () => buckets.size,
  };
}
