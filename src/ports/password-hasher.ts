/**
 * Hashing and checking agent passwords: memory-hard and slow on purpose, so it runs apart from
 * the work chats wait on, a bounded number at a time.
 */
export interface PasswordHasher {
  /** The stored form of a new password. */
  hash(password: string): Promise<string>;
  /** Whether `password` is the one `stored` was made from. */
  verify(password: string, stored: string): Promise<boolean>;
}

/** Refused because as much hashing as the node allows is already waiting; try again later. */
export class HasherBusy extends Error {
  constructor() {
    super('Too many passwords are being checked at once');
    this.name = 'HasherBusy';
  }
}
