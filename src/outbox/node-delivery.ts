/**
 * A node's outbox delivery, built from its configuration: the SNS and S3 clients (to the
 * configured endpoints, never with the node's own profile or files) on a thread of their own
 * (sink-thread.ts) and the node's own BlobStore (transcripts of instances with no bucket), the
 * worker that delivers through them under this node's id (its data dir's, see node-id.ts) as
 * lease owner, and the Prometheus registry of its figures.
 */
import { Registry } from 'prom-client';
import type { Config } from '../config.ts';
import type { Clock } from '../ports/clock.ts';
import type { Log } from '../ports/log.ts';
import type { Store } from '../ports/store.ts';
import type { BlobStore } from '../ports/blob-store.ts';
import { clientFiles, PROFILE } from '../bootstrap.ts';
import { nodeId } from '../node-id.ts';
import { BlobDeliverer, DelivererByScheme } from './deliverers.ts';
import { DeliveryMetrics } from './delivery-metrics.ts';
import { OutboxWorker } from './delivery.ts';
import { SinkThreadDeliverer } from './sink-thread-deliverer.ts';

/** A scrape of the node's figures, for the main thread's /metrics. */
export interface MetricsText {
  contentType: string;
  text: string;
}

export class NodeDelivery {
  readonly worker: OutboxWorker;
  readonly #store: Store;
  readonly #clock: Clock;
  readonly #registry = new Registry();
  readonly #metrics = new DeliveryMetrics(this.#registry);
  readonly #sinks: SinkThreadDeliverer;

  constructor(config: Config, deps: { store: Store; clock: Clock; log: Log; blobs: BlobStore }) {
    const { blobs, ...worker } = deps;
    this.#store = deps.store;
    this.#clock = deps.clock;
    const files = clientFiles(config.dataDir);
    const own = { profile: PROFILE, files: [files.credentials, files.config] };
    this.#sinks = new SinkThreadDeliverer({
      sns: { endpoint: config.snsEndpoint, region: config.region, own },
      s3: { endpoint: config.s3Endpoint, region: config.region, own },
    });
    this.worker = new OutboxWorker({
      ...worker,
      owner: nodeId(config.dataDir),
      deliverer: new DelivererByScheme({ sns: this.#sinks, s3: this.#sinks, blob: new BlobDeliverer(blobs) }),
      metrics: this.#metrics,
      maxAgeMs: config.outboxMaxAgeMs,
    });
  }

  /** The figures now, the backlog read from the store. */
  async scrape(): Promise<MetricsText> {
    const now = this.#clock.now();
    this.#metrics.backlog(await this.#store.transaction((tx) => tx.outbox.stats(now)));
    return { contentType: this.#registry.contentType, text: await this.#registry.metrics() };
  }

  /** Stops claiming, waits (bounded) for the deliveries under way, releases the clients. */
  async close(): Promise<void> {
    await this.worker.close();
    await this.#sinks.close();
  }
}
