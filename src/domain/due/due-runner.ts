/**
 * Does the work that is due (the store's due items: a flow's timer, a customer's message for a
 * waiting flow): claims due items by lease, hands each to the handler of its kind, and removes it
 * once the handler is done, unless the handler scheduled it again. Nothing is kept in memory
 * between polls, so whichever node is alive does the work, after a restart too. A node that dies
 * holding a lease leaves its items to be claimed again when the lease runs out.
 */
import type { Clock } from '../../ports/clock.ts';
import type { Log } from '../../ports/log.ts';
import type { DueItem, Store } from '../../ports/store.ts';

/**
 * Does one due item's work. `owner` holds its lease: a handler that must not do the work twice
 * takes the item (tx.due.done(item.id, owner)) in the transaction that does it.
 */
export type DueHandler = (item: DueItem, owner: string) => Promise<void>;

export interface DueRunnerDeps {
  store: Store;
  clock: Clock;
  log: Log;
  /** This node's name on its leases; unique per process. */
  owner: string;
  /** The handler of each kind of item. */
  handlers: Record<string, DueHandler>;
  /** How often it looks for due items when nothing pokes it. */
  pollMs?: number;
  /** How long a claim is held before another node may take the item. */
  leaseMs?: number;
  /** How many items one claim takes. */
  batch?: number;
  /** When an item whose handler failed (or whose kind this node does not know) is tried again. */
  retryMs?: number;
}

export class DueRunner {
  readonly #d: Required<DueRunnerDeps>;
  #timer: NodeJS.Timeout | undefined;
  /** The poll under way, if any. */
  #running: Promise<void> | undefined;
  /** The poll to run once the one under way has finished, if someone poked meanwhile. */
  #queued: Promise<void> | undefined;
  #closed = false;

  constructor(deps: DueRunnerDeps) {
    this.#d = { pollMs: 1000, leaseMs: 30_000, batch: 50, retryMs: 10_000, ...deps };
  }

  /** Starts polling. */
  /**
   * Starts polling. The owner's leases from before (this node's previous run, which ended with
   * nothing finished) are given back first, so its items need not wait for their leases to run out.
   */
  start(): void {
    this.#timer = setInterval(() => void this.poke(), this.#d.pollMs);
    this.#timer.unref();
    this.#running = this.#d.store
      .transaction((tx) => tx.due.releaseAll(this.#d.owner))
      .then(
        (released) => {
          if (released > 0) this.#d.log.info({ released }, 'took back due work leased before a restart');
        },
        (err) => this.#d.log.error({ err }, 'giving back earlier due leases failed'),
      )
      .then(() => this.#poll())
      .finally(() => (this.#running = undefined));
  }

  /**
   * Looks for due items now (after a commit that made one due); resolves when a look that
   * began after the call has done what it found.
   */
  poke(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    if (!this.#running) {
      this.#running = this.#poll().finally(() => (this.#running = undefined));
      return this.#running;
    }
    // The poll under way may have claimed before the poker's commit: one more after it.
    this.#queued ??= this.#running.then(() => {
      this.#queued = undefined;
      return this.poke();
    });
    return this.#queued;
  }

  /** Stops polling and waits for the work under way; unfinished items stay in the store. */
  async close(): Promise<void> {
    this.#closed = true;
    clearInterval(this.#timer);
    while (this.#running || this.#queued) await (this.#queued ?? this.#running);
  }

  /** Claims and works through due items until none are left (or it is closed). */
  async #poll(): Promise<void> {
    const { store, clock, log, owner, leaseMs, batch } = this.#d;
    try {
      for (;;) {
        const items = await store.transaction((tx) => tx.due.claim(owner, clock.now(), leaseMs, batch));
        for (const item of items) {
          if (this.#closed) return; // its lease runs out, and this node or another takes it again
          await this.#work(item);
        }
        if (items.length < batch || this.#closed) return;
      }
    } catch (err) {
      log.error({ err }, 'claiming due work failed');
    }
  }

  async #work(item: DueItem): Promise<void> {
    const { store, clock, log, owner, handlers, retryMs } = this.#d;
    const handler = handlers[item.kind];
    try {
      if (!handler) throw new Error(`no handler for due work of kind ${item.kind}`);
      await handler(item, owner);
      await store.transaction((tx) => tx.due.done(item.id, owner));
    } catch (err) {
      log.error({ err, dueId: item.id, kind: item.kind }, 'due work failed; it is tried again later');
      await store
        .transaction((tx) => tx.due.release(item.id, owner, clock.now() + retryMs))
        .catch((releaseErr) => log.error({ err: releaseErr, dueId: item.id }, 'releasing due work failed'));
    }
  }
}
