/**
 * API rate limits and concurrency quotas. Two profiles:
 * - `default` protects the node (generous limits a developer will not meet by accident);
 * - `aws` applies Amazon Connect's default quotas, for teams testing how their app handles
 *   throttling (rates and bursts from the Amazon Connect service quotas page).
 * Single values can be overridden: `--quota StartChatContact=50/100` (rate/burst) or
 * `--quota activeChatsPerInstance=500` (or activeCallsPerInstance).
 */
import { TokenBuckets, type RateLimit } from './aws/rate-limiter.ts';
import type { Clock } from './ports/clock.ts';

export interface Quotas {
  /** Per instance and operation. */
  api: Record<string, RateLimit>;
  apiDefault: RateLimit;
  activeChatsPerInstance: number;
  activeCallsPerInstance: number;
}

export const QUOTA_PROFILES = {
  default: (): Quotas => ({
    api: {},
    apiDefault: { rate: 20_000, burst: 20_000 },
    activeChatsPerInstance: 1_000_000,
    activeCallsPerInstance: 1_000_000,
  }),
  aws: (): Quotas => ({
    api: {
      StartChatContact: { rate: 5, burst: 8 },
      StartWebRTCContact: { rate: 5, burst: 8 },
      StartContactStreaming: { rate: 5, burst: 8 },
      StopContactStreaming: { rate: 5, burst: 8 },
      GetMetricData: { rate: 5, burst: 8 },
      GetCurrentMetricData: { rate: 5, burst: 8 },
    },
    apiDefault: { rate: 2, burst: 5 },
    activeChatsPerInstance: 100,
    // Amazon Connect's default quota of concurrent calls per instance.
    activeCallsPerInstance: 10,
  }),
};

export type QuotaProfile = keyof typeof QUOTA_PROFILES;

/** Applies `name=value` overrides to a profile; throws a readable error on a malformed one. */
export function buildQuotas(profile: QuotaProfile, overrides: string[]): Quotas {
  const quotas = QUOTA_PROFILES[profile]();
  for (const o of overrides) {
    const m = /^([A-Za-z]+)=(\d+)(?:\/(\d+))?$/.exec(o);
    if (!m) throw new Error(`--quota ${o}: expected Name=N or Operation=rate/burst`);
    const [, name, a, b] = m;
    if (name === 'activeChatsPerInstance') quotas.activeChatsPerInstance = Number(a);
    else if (name === 'activeCallsPerInstance') quotas.activeCallsPerInstance = Number(a);
    else if (name === 'default') quotas.apiDefault = { rate: Number(a), burst: Number(b ?? a) };
    else quotas.api[name] = { rate: Number(a), burst: Number(b ?? a) };
  }
  return quotas;
}

export const rateLimitFor = (quotas: Quotas, operation: string): RateLimit =>
  quotas.api[operation] ?? quotas.apiDefault;

/**
 * The API rate limits of every instance (or account, for calls outside one), one bucket per
 * scope and operation, created once per node: whatever reaches an operation (the Connect API,
 * the test page's backend) takes its tokens from the same bucket.
 */
export class ApiRateLimits {
  readonly #buckets: TokenBuckets;
  readonly #quotas: Quotas;

  constructor(quotas: Quotas, clock: Clock) {
    this.#quotas = quotas;
    this.#buckets = new TokenBuckets(clock);
  }

  /** Takes one call of operation from scope's quota; false when it is used up. */
  take(scope: string, operation: string): boolean {
    return this.#buckets.take(`${scope}/${operation}`, rateLimitFor(this.#quotas, operation));
  }
}
