/**
 * The PasswordHasher of a node: one thread of its own (hashing-thread.ts) does every hash, one
 * after another, at the lowest priority; jobs wait in a bounded queue, and past the bound the
 * hasher refuses at once (HasherBusy) rather than let waiting sign-ins pile up in memory.
 */
import { Worker } from 'node:worker_threads';
import { HasherBusy, type PasswordHasher } from '../../ports/password-hasher.ts';
import type { HashAnswer, HashJob } from './hashing-thread.ts';

/** Jobs waiting or running at once; at ~60 ms a hash, about 4 s of work. */
export const HASH_QUEUE = 64;

type Pending = { resolve(answer: HashAnswer): void; reject(err: Error): void };

export class WorkerPasswordHasher implements PasswordHasher {
  readonly #worker: Worker;
  readonly #pending = new Map<number, Pending>();
  readonly #queue: number;
  #next = 0;
  #stopped: Error | undefined;

  constructor(queue = HASH_QUEUE) {
    this.#queue = queue;
    this.#worker = new Worker(new URL('./hashing-thread.ts', import.meta.url));
    // Idle, the thread does not keep its process alive; with work waiting, it does.
    this.#worker.unref();
    this.#worker.on('message', (answer: HashAnswer) => {
      const pending = this.#pending.get(answer.id);
      this.#pending.delete(answer.id);
      if (this.#pending.size === 0) this.#worker.unref();
      pending?.resolve(answer);
    });
    this.#worker.on('error', (err) => this.#fail(err));
    this.#worker.on('exit', (code) => this.#fail(new Error(`the hashing thread exited (${code})`)));
  }

  async hash(password: string): Promise<string> {
    const answer = await this.#run({ id: this.#next++, hash: password });
    if (!('hashed' in answer)) throw new Error(`hashing failed: ${'error' in answer ? answer.error : ''}`);
    return answer.hashed;
  }

  async verify(password: string, stored: string): Promise<boolean> {
    const answer = await this.#run({ id: this.#next++, verify: password, stored });
    if ('error' in answer) throw new Error(`password check failed: ${answer.error}`);
    return 'ok' in answer && answer.ok;
  }

  async close(): Promise<void> {
    await this.#worker.terminate();
  }

  #run(job: HashJob): Promise<HashAnswer> {
    if (this.#stopped) return Promise.reject(this.#stopped);
    if (this.#pending.size >= this.#queue) return Promise.reject(new HasherBusy());
    return new Promise((resolve, reject) => {
      if (this.#pending.size === 0) this.#worker.ref();
      this.#pending.set(job.id, { resolve, reject });
      this.#worker.postMessage(job);
    });
  }

  #fail(err: Error): void {
    this.#stopped ??= err;
    for (const pending of this.#pending.values()) pending.reject(err);
    this.#pending.clear();
  }
}
