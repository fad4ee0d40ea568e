/**
 * Events between the node's two threads. The domain thread publishes (chat items, routing
 * changes); the main thread's websocket gateways subscribe. An event crosses only when the main
 * thread has a subscriber for its topic: most events of a busy node (a chat nobody has a socket
 * open for yet) would otherwise be copied to the main thread only to be dropped there.
 *
 * The main thread says which topics it wants on the same ordered channel as its calls, so a
 * gateway that subscribes and then reads through a call (as every subscriber must, a bus being
 * notification only) misses nothing: whatever the domain published before it saw the
 * subscription, the read that follows it sees.
 */
import type { EventBus } from '../ports/event-bus.ts';
import { LocalEventBus } from '../adapters/bus/local-event-bus.ts';

/** From the main thread: start or stop forwarding a topic. */
export type TopicMessage = { watch: string } | { unwatch: string };

/** From the domain thread: an event on a watched topic. */
export interface ForwardedEvent {
  event: { topic: string; payload: unknown };
}

type OnError = (err: unknown, topic: string) => void;

/** The main thread's bus: local subscribers, fed by the domain thread's forwarded events. */
export class MainThreadBus implements EventBus {
  readonly #local: LocalEventBus;
  readonly #post: (m: TopicMessage) => void;
  readonly #subscribers = new Map<string, number>();

  constructor(post: (m: TopicMessage) => void, onError: OnError) {
    this.#post = post;
    this.#local = new LocalEventBus(onError);
  }

  /** An event the domain thread forwarded. */
  deliver(m: ForwardedEvent): void {
    this.#local.publish(m.event.topic, m.event.payload);
  }

  publish(topic: string, event: unknown): void {
    this.#local.publish(topic, event);
  }

  subscribe(topic: string, handler: (event: unknown) => void): () => void {
    const count = this.#subscribers.get(topic) ?? 0;
    this.#subscribers.set(topic, count + 1);
    if (count === 0) this.#post({ watch: topic });
    const unsubscribe = this.#local.subscribe(topic, handler);
    let done = false;
    return () => {
      if (done) return;
      done = true;
      unsubscribe();
      const left = this.#subscribers.get(topic)! - 1;
      if (left > 0) return void this.#subscribers.set(topic, left);
      this.#subscribers.delete(topic);
      this.#post({ unwatch: topic });
    };
  }
}

/** The domain thread's bus: its own subscribers (the flows), and the watched topics forwarded. */
export class DomainThreadBus implements EventBus {
  readonly #local: LocalEventBus;
  readonly #post: (m: ForwardedEvent) => void;
  readonly #watched = new Set<string>();

  constructor(post: (m: ForwardedEvent) => void, onError: OnError) {
    this.#post = post;
    this.#local = new LocalEventBus(onError);
  }

  /** Handles a message from the main thread; false if it was not about topics. */
  handle(m: unknown): boolean {
    if (!m || typeof m !== 'object') return false;
    if ('watch' in m && typeof m.watch === 'string') this.#watched.add(m.watch);
    else if ('unwatch' in m && typeof m.unwatch === 'string') this.#watched.delete(m.unwatch);
    else return false;
    return true;
  }

  publish(topic: string, event: unknown): void {
    this.#local.publish(topic, event);
    if (this.#watched.has(topic)) this.#post({ event: { topic, payload: event } });
  }

  subscribe(topic: string, handler: (event: unknown) => void): () => void {
    return this.#local.subscribe(topic, handler);
  }
}
