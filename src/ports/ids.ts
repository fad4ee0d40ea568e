import { createHash, randomBytes, randomUUID } from 'node:crypto';

/** Identifiers and secrets, injected so snapshots can be deterministic. */
export interface IdGenerator {
  /** A resource id (UUID v4, as Amazon Connect uses). */
  uuid(): string;
  /** An unguessable bearer secret: `bytes` random bytes, base64url. */
  secret(bytes: number): string;
}

export const randomIds: IdGenerator = {
  uuid: () => randomUUID(),
  secret: (bytes) => randomBytes(bytes).toString('base64url'),
};

/** Tokens are stored and looked up by this digest, never in the clear. */
export function tokenDigest(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}
