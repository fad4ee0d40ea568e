/**
 * At most `max` of one kind of request at once on this node; one more is turned away where it
 * arrives, before its body is read or it reaches the domain thread. For requests that are slow
 * on purpose (sign-in waits on a password hash), so that a burst of them costs the node little
 * beyond the refusals.
 */
export class InFlightLimit {
  readonly #max: number;
  #running = 0;

  constructor(max: number) {
    this.#max = max;
  }

  get full(): boolean {
    return this.#running >= this.#max;
  }

  /** Runs `fn` if there is room, else calls `refused()` (which throws) without running it. */
  async run<T>(fn: () => Promise<T>, refused: () => never): Promise<T> {
    if (this.full) refused();
    this.#running++;
    try {
      return await fn();
    } finally {
      this.#running--;
    }
  }
}
