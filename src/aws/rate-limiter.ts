/**
 * Token buckets: `rate` tokens a second up to `burst`, as AWS describes its API throttling.
 * One bucket per key (instance and operation); buckets refill lazily from the injected clock.
 */
import type { Clock } from '../ports/clock.ts';

export interface RateLimit {
  /** Steady requests per second. */
  rate: number;
  /** Bucket size: requests allowed at once after a quiet period. */
  burst: number;
}

interface Bucket {
  tokens: number;
  at: number;
  limit: RateLimit;
}

/** Buckets kept before the idle ones are forgotten (keys may come from clients: user names). */
const MAX_BUCKETS = 10_000;

export class TokenBuckets {
  readonly #clock: Clock;
  readonly #buckets = new Map<string, Bucket>();
  /** Size at which refilled buckets are next swept out; doubles past what a sweep leaves. */
  #sweepAt = MAX_BUCKETS;

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  /** Takes one token from key's bucket; false if it is empty. */
  take(key: string, limit: RateLimit): boolean {
    const now = this.#clock.now();
    let bucket = this.#buckets.get(key);
    if (!bucket && this.#buckets.size >= this.#sweepAt) this.#forgetFull(now);
    if (!bucket) {
      bucket = { tokens: limit.burst, at: now, limit };
      this.#buckets.set(key, bucket);
    } else {
      bucket.tokens = Math.min(limit.burst, bucket.tokens + ((now - bucket.at) / 1000) * limit.rate);
      bucket.at = now;
    }
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  }

  /**
   * Drops the buckets that have refilled: a new one starts full, so forgetting them changes
   * nothing. Buckets still limiting someone are kept; the next sweep waits until the map has
   * doubled, so sweeps cost O(1) per new key on average.
   */
  #forgetFull(now: number): void {
    for (const [key, b] of this.#buckets) {
      if (b.tokens + ((now - b.at) / 1000) * b.limit.rate >= b.limit.burst) this.#buckets.delete(key);
    }
    this.#sweepAt = Math.max(MAX_BUCKETS, this.#buckets.size * 2);
  }
}
