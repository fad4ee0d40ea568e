/**
 * Agent passwords, stored only as a memory-hard scrypt hash (N=2^15, r=8: 32 MiB per guess).
 * Format: scrypt$<logN>$<r>$<p>$<salt>$<hash>, so the parameters can grow without a migration.
 * These run synchronously, for the hashing thread (adapters/password/); everything else goes
 * through the PasswordHasher port.
 */
import { randomBytes, scryptSync, timingSafeEqual, type ScryptOptions } from 'node:crypto';

const LOG_N = 15;
const R = 8;
const P = 1;
const KEY_BYTES = 32;

const options = (logN: number, r: number, p: number): ScryptOptions => ({
  N: 2 ** logN,
  r,
  p,
  maxmem: 2 ** logN * r * 128 * 2,
});

export function hashPasswordNow(password: string): string {
  const salt = randomBytes(16);
  const key = scryptSync(password, salt, KEY_BYTES, options(LOG_N, R, P));
  return `scrypt$${LOG_N}$${R}$${P}$${salt.toString('base64url')}$${key.toString('base64url')}`;
}

export function verifyPasswordNow(password: string, stored: string): boolean {
  const [scheme, logN, r, p, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt') return false;
  const expected = Buffer.from(hash, 'base64url');
  const key = scryptSync(password, Buffer.from(salt, 'base64url'), expected.length, options(+logN, +r, +p));
  return timingSafeEqual(key, expected);
}

/** Verified against when the username is unknown: same cost, never matches a real password. */
export const DUMMY_HASH = 'scrypt$15$8$1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';
