/**
 * Exponential backoff with full jitter: after a delivery's nth failure (n from 0) the next
 * try waits a random time up to min(cap, base * 2^n), so that entries held up by one outage
 * do not all come back at once.
 */
export interface BackoffPolicy {
  baseMs: number;
  capMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 200, capMs: 60_000 };

export function backoffDelay(policy: BackoffPolicy, failures: number, random: () => number): number {
  const ceiling = Math.min(policy.capMs, policy.baseMs * 2 ** Math.min(failures, 30));
  return Math.round(random() * ceiling);
}
