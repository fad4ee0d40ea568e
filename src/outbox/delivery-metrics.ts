/**
 * The outbox's figures for Prometheus, per destination: entries waiting and the oldest one's
 * age (read from the store when scraped, so they count every node's work on a shared store),
 * and this node's deliveries, failed attempts and entries given up on since it started.
 * An S3 destination is one object; its figures are its bucket's (`s3:<bucket>`).
 */
import { Counter, Gauge, type Registry } from 'prom-client';
import type { OutboxBacklog } from '../ports/store.ts';

/** The label a destination's figures go under. */
export function destinationLabel(destination: string): string {
  if (!destination.startsWith('s3:')) return destination;
  const slash = destination.indexOf('/');
  return slash < 0 ? destination : destination.slice(0, slash);
}

export class DeliveryMetrics {
  readonly #backlog: Gauge<'destination'>;
  readonly #oldestAge: Gauge<'destination'>;
  readonly #deliveries: Counter<'destination'>;
  readonly #failures: Counter<'destination'>;
  readonly #drops: Counter<'destination'>;

  constructor(registry: Registry) {
    const registers = [registry];
    const labelNames = ['destination'] as const;
    this.#backlog = new Gauge({
      name: 'localconnect_outbox_backlog',
      help: 'Outbox entries not yet delivered, per destination',
      labelNames,
      registers,
    });
    this.#oldestAge = new Gauge({
      name: 'localconnect_outbox_oldest_age_seconds',
      help: 'Age of the oldest outbox entry not yet delivered, per destination',
      labelNames,
      registers,
    });
    this.#deliveries = new Counter({
      name: 'localconnect_outbox_deliveries_total',
      help: 'Outbox entries delivered by this node, per destination',
      labelNames,
      registers,
    });
    this.#failures = new Counter({
      name: 'localconnect_outbox_failures_total',
      help: 'Failed outbox delivery attempts on this node, per destination',
      labelNames,
      registers,
    });
    this.#drops = new Counter({
      name: 'localconnect_outbox_drops_total',
      help: 'Outbox entries given up on by this node (refused, or older than the maximum age), per destination',
      labelNames,
      registers,
    });
  }

  /** The backlog as the store has it now; destinations without entries leave the gauges. */
  backlog(stats: OutboxBacklog[]): void {
    const byLabel = new Map<string, { count: number; oldestAge: number }>();
    for (const { destination, count, oldestAge } of stats) {
      const label = destinationLabel(destination);
      const sum = byLabel.get(label) ?? { count: 0, oldestAge: 0 };
      sum.count += count;
      sum.oldestAge = Math.max(sum.oldestAge, oldestAge);
      byLabel.set(label, sum);
    }
    this.#backlog.reset();
    this.#oldestAge.reset();
    for (const [destination, { count, oldestAge }] of byLabel) {
      this.#backlog.set({ destination }, count);
      this.#oldestAge.set({ destination }, Math.max(0, oldestAge) / 1000);
    }
  }

  delivered(destination: string): void {
    this.#deliveries.inc({ destination: destinationLabel(destination) });
  }

  failed(destination: string): void {
    this.#failures.inc({ destination: destinationLabel(destination) });
  }

  dropped(destination: string): void {
    this.#drops.inc({ destination: destinationLabel(destination) });
  }
}
