/**
 * A per-key token bucket with a bounded number of keys, for UDP front-ends whose keys (source addresses)
 * an attacker chooses: when the table is full, idle keys are swept, then the least recently inserted is
 * forgotten, so memory stays at maxKeys entries whatever the flood.
 */
export interface BoundedRateLimiter {
  allow(key: string, now: number): boolean;
  /** Forget the keys whose bucket has refilled (a periodic tidy-up; a full table does it by itself). */
  sweep(now: number): void;
  size(): number;
}

export function createBoundedRateLimiter(opts: {
  burst: number;
  perSecond: number;
  maxKeys: number;
}): BoundedRateLimiter {
  const buckets = new Map<string, { tokens: number; at: number }>();
  const refill = (b: { tokens: number; at: number }, now: number): void => {
    b.tokens = Math.min(
      opts.burst,
      b.tokens + (Math.max(0, now - b.at) / 1000) * opts.perSecond,
    );
    b.at = now;
  };
  let sweptAt = -Infinity;
  const sweep = (now: number): void => {
    sweptAt = now;
    for (const [k, b] of buckets) {
      refill(b, now);
      if (b.tokens >= opts.burst) buckets.delete(k);
    }
  };
  const makeRoom = (now: number): void => {
    // A full sweep at most once a second; between sweeps a flood of new keys costs one eviction each.
    if (now - sweptAt >= 1000) sweep(now);
    while (buckets.size >= opts.maxKeys) {
      const oldest = buckets.keys().next();
      if (oldest.done) break;
      buckets.delete(oldest.value);
    }
  };
  return {
    allow(key, now) {
      let b = buckets.get(key);
      if (!b) {
        if (buckets.size >= opts.maxKeys) makeRoom(now);
        b = { tokens: opts.burst, at: now };
        buckets.set(key, b);
      } else refill(b, now);
      if (b.tokens < 1) return false;
      b.tokens -= 1;
      return true;
    },
    sweep,
    size: () => buckets.size,
  };
}
