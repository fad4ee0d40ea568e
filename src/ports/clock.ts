/** Time, injected so tests can move it (chat expiry, token lifetimes, quotas). */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/**
 * A clock that only moves when told to. Its time lives in shared memory, so the node's domain
 * thread reads the same time as the test that moves it (`buffer`, then `ManualClock.shared`).
 */
export class ManualClock implements Clock {
  readonly buffer: SharedArrayBuffer;
  readonly #now: Float64Array;

  /** `shared`: another ManualClock's buffer, whose time this one reads and moves. */
  constructor(start = Date.UTC(2024, 0, 1), shared?: SharedArrayBuffer) {
    this.buffer = shared ?? new SharedArrayBuffer(8);
    this.#now = new Float64Array(this.buffer);
    if (!shared) this.#now[0] = start;
  }

  /** The clock whose time is in `buffer` (another thread's ManualClock). */
  static shared(buffer: SharedArrayBuffer): ManualClock {
    return new ManualClock(undefined, buffer);
  }

  now(): number {
    return this.#now[0];
  }
  advance(ms: number): void {
    this.#now[0] += ms;
  }
}
