/**
 * Delivers `sns:` and `s3:` entries through the sink thread (sink-thread.ts), one thread of the
 * node's own. A thread that stops (it failed, or it was terminated) fails the deliveries it had
 * under way as retryable, and the next delivery starts a new one.
 */
import { Worker } from 'node:worker_threads';
import { Caller } from '../domain-thread/rpc.ts';
import { SinkError } from '../ports/sink-error.ts';
import type { StoredOutboxEntry } from '../ports/store.ts';
import type { Deliverer } from './deliverers.ts';
import type { SinkThreadData } from './sink-thread.ts';

interface Running {
  worker: Worker;
  caller: Caller;
  pending: number;
}

export class SinkThreadDeliverer implements Deliverer {
  readonly #data: SinkThreadData;
  #running: Running | undefined;
  #closed = false;

  constructor(data: SinkThreadData) {
    this.#data = data;
  }

  async deliver(entry: StoredOutboxEntry): Promise<void> {
    if (this.#closed) throw new SinkError('the node is stopping', { code: 'Stopping', retryable: true });
    const running = (this.#running ??= this.#start());
    if (running.pending++ === 0) running.worker.ref();
    try {
      await running.caller.call('deliverer', 'deliver', [entry]);
    } finally {
      // Idle, the thread does not keep its process alive.
      if (--running.pending === 0) running.worker.unref();
    }
  }

  /** Lets the clients close their sockets, then stops the thread. */
  async close(): Promise<void> {
    this.#closed = true;
    const running = this.#running;
    if (!running) return;
    const exited = new Promise((resolve) => running.worker.once('exit', resolve));
    running.worker.postMessage('close');
    const timer = setTimeout(() => void running.worker.terminate(), 1_000);
    await exited;
    clearTimeout(timer);
  }

  #start(): Running {
    const worker = new Worker(new URL('./sink-thread.ts', import.meta.url), { workerData: this.#data });
    worker.unref();
    const running: Running = { worker, caller: new Caller(worker, () => {}), pending: 0 };
    const stopped = (why: string) => {
      if (this.#running === running) this.#running = undefined;
      running.caller.failAll(
        new SinkError(`the sink thread ${why}`, { code: 'SinkThreadStopped', retryable: true }),
      );
    };
    worker.on('error', (err) => stopped(`failed: ${err.message}`));
    worker.on('exit', (code) => stopped(`exited (${code})`));
    return running;
  }
}
