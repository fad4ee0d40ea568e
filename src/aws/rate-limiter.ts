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
}

export class TokenBuckets {
  readonly #clock: Clock;
  readonly #buckets = new Map<string, Bucket>();

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  /** Takes one token from key's bucket; false if it is empty. */
  take(key: string, limit: RateLimit): boolean {
    const now = this.#clock.now();
    let bucket = this.#buckets.get(key);
    if (!bucket) {
      bucket = { tokens: limit.burst, at: now };
      this.#buckets.set(key, bucket);
    } else {
      bucket.tokens = Math.min(limit.burst, bucket.tokens + ((now - bucket.at) / 1000) * limit.rate);
      bucket.at = now;
    }
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  }
}
