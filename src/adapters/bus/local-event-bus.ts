/**
 * The in-process EventBus of a single node. Handlers run synchronously in publish order; a
 * throwing handler is reported and does not stop the others (one bad subscriber must not
 * break delivery to the rest).
 */
import type { EventBus, Unsubscribe } from '../../ports/event-bus.ts';

export class LocalEventBus implements EventBus {
  readonly #handlers = new Map<string, Set<(event: unknown) => void>>();
  readonly #onError: (err: unknown, topic: string) => void;

  constructor(onError: (err: unknown, topic: string) => void) {
    this.#onError = onError;
  }

  publish(topic: string, event: unknown): void {
    const handlers = this.#handlers.get(topic);
    if (!handlers) return;
    for (const handler of [...handlers]) {
      try {
        handler(event);
      } catch (err) {
        this.#onError(err, topic);
      }
    }
  }

  subscribe(topic: string, handler: (event: unknown) => void): Unsubscribe {
    let handlers = this.#handlers.get(topic);
    if (!handlers) this.#handlers.set(topic, (handlers = new Set()));
    handlers.add(handler);
    return () => {
      handlers.delete(handler);
      if (handlers.size === 0 && this.#handlers.get(topic) === handlers) this.#handlers.delete(topic);
    };
  }
}
