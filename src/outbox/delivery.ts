/**
 * The outbox delivery worker: takes the entries the store holds for outside services (SNS
 * topics, S3 buckets) and delivers them, at least once, each (destination, orderKey) strictly
 * in order, the entry's id stable so that a consumer can drop a duplicate.
 *
 * Entries are claimed by lease under this node's owner id, so that nodes sharing a store never
 * deliver one entry at once, and a node that died (kill -9) has its leases taken over once
 * they run out: nothing is lost, and the store's head-of-line rule keeps the order. The same
 * node started again (its owner id the same) takes back its own leases before it first claims.
 *
 * Each destination is on its own: at most `maxInFlight` of its entries are being delivered at
 * once, and one that fails is paused for its backoff (exponential, full jitter), costing
 * nothing while it is down, while the others go on. A retryable failure tries again later; a
 * permanent one, or any failure of an entry older than `maxAgeMs`, drops the entry with a warn
 * line naming it (never its payload).
 */
import { performance } from 'node:perf_hooks';
import type { Clock } from '../ports/clock.ts';
import type { Log } from '../ports/log.ts';
import type { Store, StoredOutboxEntry } from '../ports/store.ts';
import { SinkError } from '../ports/sink-error.ts';
import type { Deliverer } from './deliverers.ts';
import type { DeliveryMetrics } from './delivery-metrics.ts';
import { backoffDelay, DEFAULT_BACKOFF, type BackoffPolicy } from './backoff.ts';

export interface OutboxWorkerOptions {
  store: Store;
  clock: Clock;
  log: Log;
  /** This node's id: the owner of its leases, the same when the node starts again. */
  owner: string;
  deliverer: Deliverer;
  metrics: DeliveryMetrics;
  /** Entries older than this are dropped at their next failure. */
  maxAgeMs: number;
  /** Entries of one destination being delivered at once (default 16). */
  maxInFlight?: number;
  /** How long a claim holds an entry: longer than any delivery takes (default 60 s). */
  leaseMs?: number;
  /** The least time between two claims, however often the worker is nudged (default 5 ms). */
  claimGapMs?: number;
  /** How often the store is looked at without a nudge (default 1 s). */
  pollMs?: number;
  /** How often the backlog and the deliveries since are logged, when there are any (default 60 s). */
  reportMs?: number;
  backoff?: BackoffPolicy;
  random?: () => number;
}

/** Wakes the worker: an entry was added (call it from tx.onCommit). */
export interface OutboxWakeup {
  nudge(): void;
}

/** Entries one claim takes at most, across destinations. */
const CLAIM_LIMIT = 256;

interface DestinationState {
  inFlight: number;
  /** No claims before this (by the node's clock): it failed and is backing off. */
  pausedUntil: number;
  /** Since its last delivery, its attempts have failed. */
  failing: boolean;
  /** Since the last report. */
  delivered: number;
  failed: number;
  dropped: number;
}

export class OutboxWorker implements OutboxWakeup {
  readonly #o: Required<OutboxWorkerOptions>;
  readonly #destinations = new Map<string, DestinationState>();
  readonly #inFlight = new Set<Promise<void>>();
  #timer?: NodeJS.Timeout;
  #reportTimer?: NodeJS.Timeout;
  #running = false;
  #pumping = false;
  #again = false;
  /** When the last claim started (performance.now()). */
  #lastClaim = -Infinity;
  #reclaimed = false;

  constructor(options: OutboxWorkerOptions) {
    this.#o = {
      maxInFlight: 16,
      leaseMs: 60_000,
      claimGapMs: 5,
      pollMs: 1_000,
      reportMs: 60_000,
      backoff: DEFAULT_BACKOFF,
      random: Math.random,
      ...options,
    };
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#reportTimer = setInterval(() => void this.#report(), this.#o.reportMs);
    this.#reportTimer.unref();
    this.nudge();
  }

  nudge(): void {
    if (!this.#running) return;
    if (this.#pumping) {
      this.#again = true;
      return;
    }
    void this.#pump();
  }

  /**
   * Stops claiming and waits up to `waitMs` for the deliveries under way; one still going
   * after that keeps its lease until it runs out, and is delivered again by whoever claims it.
   */
  async close(waitMs = 5_000): Promise<void> {
    this.#running = false;
    clearTimeout(this.#timer);
    clearInterval(this.#reportTimer);
    let timeout: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.allSettled([...this.#inFlight]),
      new Promise((resolve) => (timeout = setTimeout(resolve, waitMs))),
    ]);
    clearTimeout(timeout);
  }

  async #pump(): Promise<void> {
    this.#pumping = true;
    clearTimeout(this.#timer);
    try {
      if (!this.#reclaimed) await this.#reclaim();
      do {
        // Nudges until the next claim is due join it: one claim serves every commit since.
        const wait = this.#lastClaim + this.#o.claimGapMs - performance.now();
        if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
        if (!this.#running) break;
        this.#again = false;
        this.#lastClaim = performance.now();
        await this.#claimRound();
      } while (this.#again && this.#running);
    } catch (err) {
      this.#o.log.error({ err }, 'outbox claim failed');
    } finally {
      this.#pumping = false;
      this.#schedule();
    }
  }

  /** What this owner held when it last stopped (a kill -9) is free again: nothing of ours is under way yet. */
  async #reclaim(): Promise<void> {
    const { store, owner, log } = this.#o;
    const released = await store.transaction((tx) => tx.outbox.releaseAll(owner));
    this.#reclaimed = true;
    if (released > 0) log.info({ released }, 'outbox took back the leases this node held when it stopped');
  }

  /**
   * One claim for every destination, each up to its room: none for one paused or full. A
   * claim that fills CLAIM_LIMIT is followed by another at once.
   */
  async #claimRound(): Promise<void> {
    const { store, clock, owner, leaseMs, maxInFlight } = this.#o;
    const now = clock.now();
    const room: Record<string, number> = {};
    for (const [destination, state] of this.#destinations) {
      const free = state.pausedUntil > now ? 0 : Math.max(0, maxInFlight - state.inFlight);
      if (free < maxInFlight) room[destination] = free;
    }
    const entries = await store.transaction((tx) =>
      tx.outbox.claim(owner, now, leaseMs, CLAIM_LIMIT, { perDestination: maxInFlight, room }),
    );
    for (const entry of entries) this.#launch(this.#state(entry.destination), entry);
    if (entries.length === CLAIM_LIMIT) this.#again = true;
  }

  #state(destination: string): DestinationState {
    let state = this.#destinations.get(destination);
    if (!state) {
      state = { inFlight: 0, pausedUntil: 0, failing: false, delivered: 0, failed: 0, dropped: 0 };
      this.#destinations.set(destination, state);
    }
    return state;
  }

  #launch(state: DestinationState, entry: StoredOutboxEntry): void {
    state.inFlight++;
    const delivery = this.#deliver(state, entry)
      .catch((err) =>
        this.#o.log.error({ err, id: entry.id, destination: entry.destination }, 'outbox delivery failed'),
      )
      .finally(() => {
        state.inFlight--;
        this.#inFlight.delete(delivery);
        // The entry's successor in its stream may be claimable now.
        this.nudge();
      });
    this.#inFlight.add(delivery);
  }

  async #deliver(state: DestinationState, entry: StoredOutboxEntry): Promise<void> {
    const { store, clock, owner, metrics, log } = this.#o;
    const { id, destination } = entry;
    try {
      await this.#o.deliverer.deliver(entry);
    } catch (err) {
      const now = clock.now();
      const ageMs = now - entry.createdAt;
      const error = err instanceof Error ? err.message : String(err);
      const retryable = err instanceof SinkError && err.retryable;
      state.failed++;
      metrics.failed(destination);
      if (!retryable || ageMs >= this.#o.maxAgeMs) {
        await store.transaction((tx) => tx.outbox.drop(id));
        state.dropped++;
        metrics.dropped(destination);
        log.warn(
          {
            id,
            destination,
            ageMs,
            attempts: entry.attempts + 1,
            error,
            reason: retryable ? 'older than the maximum age' : 'refused',
          },
          'outbox entry dropped',
        );
        return;
      }
      const notBefore = now + backoffDelay(this.#o.backoff, entry.attempts, this.#o.random);
      state.pausedUntil = Math.max(state.pausedUntil, notBefore);
      if (!state.failing) {
        state.failing = true;
        log.warn({ destination, error }, 'outbox destination failing; retrying with backoff');
      }
      await store.transaction((tx) => tx.outbox.retry(id, owner, notBefore, error));
      return;
    }
    await store.transaction((tx) => tx.outbox.delivered(id, owner));
    state.delivered++;
    metrics.delivered(destination);
    if (state.failing) {
      state.failing = false;
      log.info({ destination }, 'outbox destination delivering again');
    }
  }

  /** The next look at the store: the poll, or sooner when a paused destination's backoff ends. */
  #schedule(): void {
    if (!this.#running) return;
    const now = this.#o.clock.now();
    let delay = this.#o.pollMs;
    for (const [destination, state] of this.#destinations) {
      if (state.pausedUntil > now) delay = Math.min(delay, state.pausedUntil - now);
      else if (state.inFlight === 0 && !state.failing && this.#quiet(state))
        this.#destinations.delete(destination);
    }
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => this.nudge(), Math.max(10, delay));
    this.#timer.unref();
  }

  #quiet(state: DestinationState): boolean {
    return state.delivered === 0 && state.failed === 0 && state.dropped === 0;
  }

  /** A line per destination with a backlog or deliveries since the last report. */
  async #report(): Promise<void> {
    try {
      const now = this.#o.clock.now();
      const backlog = await this.#o.store.transaction((tx) => tx.outbox.stats(now));
      const waiting = new Map(backlog.map((b) => [b.destination, b]));
      const destinations = new Set([...waiting.keys(), ...this.#destinations.keys()]);
      for (const destination of destinations) {
        const state = this.#destinations.get(destination);
        const b = waiting.get(destination);
        if (!b && (!state || this.#quiet(state))) continue;
        this.#o.log.info(
          {
            destination,
            backlog: b?.count ?? 0,
            oldestAgeMs: b?.oldestAge ?? 0,
            delivered: state?.delivered ?? 0,
            failed: state?.failed ?? 0,
            dropped: state?.dropped ?? 0,
          },
          'outbox',
        );
        if (state) state.delivered = state.failed = state.dropped = 0;
      }
    } catch (err) {
      this.#o.log.error({ err }, 'outbox report failed');
    }
  }
}
