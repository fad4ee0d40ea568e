import { randomBytes, randomFillSync } from 'node:crypto';

/** Identifiers and secrets, injected so snapshots can be deterministic. */
export interface IdGenerator {
  /** A resource id in the UUID v4 form Amazon Connect uses. */
  uuid(): string;
  /** An unguessable bearer secret: `bytes` random bytes, base64url. */
  secret(bytes: number): string;
}

/**
 * Random bytes drawn from the CSPRNG in blocks: one getrandom call per 8 KiB instead of one
 * per id, as Node's own randomUUID does.
 */
const POOL_BYTES = 8192;
let pool = Buffer.alloc(0);
let offset = 0;
function random(n: number): Buffer {
  if (n > POOL_BYTES) return randomBytes(n);
  if (offset + n > pool.length) {
    pool = randomFillSync(Buffer.allocUnsafe(POOL_BYTES));
    offset = 0;
  }
  const out = Buffer.from(pool.subarray(offset, offset + n));
  pool.fill(0, offset, offset + n);
  offset += n;
  return out;
}

/**
 * Ids keep the UUID v4 form (version and variant bits as v4) but begin with the creation time
 * in milliseconds, so new rows land at the end of the store's indexes instead of on a random
 * page each: the difference between one and several page writes per insert. Ids are not
 * secrets (tokens are); 74 random bits keep them unique.
 */
function timeOrderedUuid(): string {
  const b = random(16);
  const ms = Date.now();
  b.writeUIntBE(ms, 0, 6);
  b[6] = 0x40 | (b[6] & 0x0f);
  b[8] = 0x80 | (b[8] & 0x3f);
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

export const randomIds: IdGenerator = {
  uuid: timeOrderedUuid,
  secret: (bytes) => random(bytes).toString('base64url'),
};
