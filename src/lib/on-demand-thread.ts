/**
 * A worker thread of the node's own that answers calls (rpc.ts), started by the first call
 * and started again by the call after it stops (it failed, or was terminated); the calls it had
 * under way fail with `stopped(why)`. Idle, it does not keep its process alive.
 */
import { Worker } from 'node:worker_threads';
import { Caller } from '../domain-thread/rpc.ts';

interface Running {
  worker: Worker;
  caller: Caller;
  pending: number;
}

export class OnDemandThread {
  readonly #url: URL;
  readonly #workerData: unknown;
  readonly #stopped: (why: string) => Error;
  #running: Running | undefined;
  #closed = false;

  constructor(url: URL, workerData: unknown, stopped: (why: string) => Error) {
    this.#url = url;
    this.#workerData = workerData;
    this.#stopped = stopped;
  }

  async call(target: string, method: string, args: unknown[]): Promise<unknown> {
    if (this.#closed) throw this.#stopped('is stopping');
    const running = (this.#running ??= this.#start());
    if (running.pending++ === 0) running.worker.ref();
    try {
      return await running.caller.call(target, method, args);
    } finally {
      if (--running.pending === 0) running.worker.unref();
    }
  }

  /** Asks the thread to close ('close' message), and stops it if it has not within a second. */
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
    const worker = new Worker(this.#url, { workerData: this.#workerData });
    worker.unref();
    const running: Running = { worker, caller: new Caller(worker, () => {}), pending: 0 };
    const stopped = (why: string) => {
      if (this.#running === running) this.#running = undefined;
      running.caller.failAll(this.#stopped(why));
    };
    worker.on('error', (err) => stopped(`failed: ${err.message}`));
    worker.on('exit', (code) => stopped(`exited (${code})`));
    return running;
  }
}
