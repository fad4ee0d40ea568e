/**
 * Participant tokens in the selector/verifier form: the token carries the participant's id
 * (the selector, which finds the record by its primary key) and 256 random bits (the verifier,
 * stored only as a digest and compared in constant time). Unguessable like a plain random
 * token, but finding its participant needs no index over random digests.
 */
import { hash, timingSafeEqual } from 'node:crypto';
import type { IdGenerator } from '../ports/ids.ts';

const SECRET_BYTES = 32;
const UUID_BYTES = 16;

export interface IssuedToken {
  token: string;
  /** What the store keeps: a digest of the verifier, never the token. */
  digest: string;
}

const digestOf = (verifier: Buffer): string => hash('sha256', verifier, 'base64url');

export function issueToken(ids: IdGenerator, participantId: string): IssuedToken {
  const verifier = Buffer.from(ids.secret(SECRET_BYTES), 'base64url');
  const selector = Buffer.from(participantId.replace(/-/g, ''), 'hex');
  return { token: Buffer.concat([selector, verifier]).toString('base64url'), digest: digestOf(verifier) };
}

/** The participant a token names, or undefined if it is not a token of this form. */
export function tokenParticipantId(token: string): string | undefined {
  const bytes = Buffer.from(token, 'base64url');
  if (bytes.length !== UUID_BYTES + SECRET_BYTES || bytes.toString('base64url') !== token) return undefined;
  const h = bytes.subarray(0, UUID_BYTES).toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** Whether `token` is the one whose digest was stored. */
export function tokenMatches(token: string, storedDigest: string): boolean {
  const verifier = Buffer.from(token, 'base64url').subarray(UUID_BYTES);
  const given = Buffer.from(digestOf(verifier));
  const stored = Buffer.from(storedDigest);
  return given.length === stored.length && timingSafeEqual(given, stored);
}
