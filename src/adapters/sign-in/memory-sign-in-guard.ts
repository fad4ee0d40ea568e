/**
 * The sign-in guard of one node, in memory. Per (user name, client address): the first few
 * wrong passwords cost nothing, then each one more doubles the wait before the next try, up to
 * a ceiling; a right password clears the count. A try is counted as wrong when it is let
 * through, and forgotten if it was right. Per client address, across user names, a token
 * bucket bounds how fast one address may try at all (a whole floor of agents may sign in at
 * once from behind one NAT, so it is generous).
 */
import type { Clock } from '../../ports/clock.ts';
import type { SignInGuard } from '../../ports/sign-in-guard.ts';
import { TokenBuckets, type RateLimit } from '../../aws/rate-limiter.ts';

export interface SignInPolicy {
  /** Wrong passwords per (user, address) before the waits begin. */
  freeTries: number;
  /** The wait after the first failure past the free ones; it doubles with each more. */
  firstWaitMs: number;
  maxWaitMs: number;
  /** Every try from one address, whatever the user name. */
  perAddress: RateLimit;
}

export const SIGN_IN_POLICY: SignInPolicy = {
  freeTries: 5,
  firstWaitMs: 1000,
  maxWaitMs: 15 * 60_000,
  perAddress: { rate: 5, burst: 500 },
};

/** (user, address) pairs remembered; past it the least recently tried are forgotten. */
const MAX_PAIRS = 100_000;

interface Tries {
  /** Tries since the last right password. */
  count: number;
  /** When the next try is allowed. */
  until: number;
}

export class MemorySignInGuard implements SignInGuard {
  readonly #clock: Clock;
  readonly #policy: SignInPolicy;
  readonly #addresses: TokenBuckets;
  /** In order of the last try, oldest first (a Map keeps insertion order). */
  readonly #tries = new Map<string, Tries>();

  constructor(clock: Clock, policy: SignInPolicy = SIGN_IN_POLICY) {
    this.#clock = clock;
    this.#policy = policy;
    this.#addresses = new TokenBuckets(clock);
  }

  async attempt(username: string, address: string): Promise<number> {
    const now = this.#clock.now();
    const key = pair(username, address);
    const before = this.#tries.get(key);
    if (before && before.until > now) return before.until - now;
    if (!this.#addresses.take(address, this.#policy.perAddress)) return 1000 / this.#policy.perAddress.rate;
    const count = (before?.count ?? 0) + 1;
    // The try that uses up the free ones sets the first wait before the next.
    const over = count - this.#policy.freeTries + 1;
    const wait = over > 0 ? Math.min(this.#policy.maxWaitMs, this.#policy.firstWaitMs * 2 ** (over - 1)) : 0;
    this.#tries.delete(key);
    this.#tries.set(key, { count, until: now + wait });
    if (this.#tries.size > MAX_PAIRS) this.#tries.delete(this.#tries.keys().next().value!);
    return 0;
  }

  async succeeded(username: string, address: string): Promise<void> {
    this.#tries.delete(pair(username, address));
  }
}

const pair = (username: string, address: string) => `${address} ${username}`;
