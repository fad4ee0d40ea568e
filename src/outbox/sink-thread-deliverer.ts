/**
 * Delivers `sns:` and `s3:` entries through the sink thread (sink-thread.ts), one thread of the
 * node's own. A thread that stops (it failed, or it was terminated) fails the deliveries it had
 * under way as retryable, and the next delivery starts a new one.
 */
import { OnDemandThread } from '../lib/on-demand-thread.ts';
import { SinkError } from '../ports/sink-error.ts';
import type { StoredOutboxEntry } from '../ports/store.ts';
import type { Deliverer } from './deliverers.ts';
import type { SinkThreadData } from './sink-thread.ts';

export class SinkThreadDeliverer implements Deliverer {
  readonly #thread: OnDemandThread;

  constructor(data: SinkThreadData) {
    this.#thread = new OnDemandThread(new URL('./sink-thread.ts', import.meta.url), data, (why) =>
      why === 'is stopping'
        ? new SinkError('the node is stopping', { code: 'Stopping', retryable: true })
        : new SinkError(`the sink thread ${why}`, { code: 'SinkThreadStopped', retryable: true }),
    );
  }

  async deliver(entry: StoredOutboxEntry): Promise<void> {
    await this.#thread.call('deliverer', 'deliver', [entry]);
  }

  /** Lets the clients close their sockets, then stops the thread. */
  close(): Promise<void> {
    return this.#thread.close();
  }
}
