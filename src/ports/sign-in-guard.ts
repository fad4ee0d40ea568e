/**
 * How often a client may guess a password. Guesses are counted per user name and client
 * address, so that a guesser elsewhere cannot lock out the agent; a client address also has
 * a bound of its own across user names. Kept in memory per node today; a shared store
 * (Redis) can take its place behind this port when several nodes serve one instance.
 */
export interface SignInGuard {
  /**
   * Milliseconds before `username` may be tried from `address`, or 0: go ahead. A try let
   * through counts as a wrong guess from the start, so guesses sent all at once are counted
   * as they come, not when their hashes are done.
   */
  attempt(username: string, address: string): Promise<number>;
  /** The password was right: the guesses counted for this user and address are forgotten. */
  succeeded(username: string, address: string): Promise<void>;
}
