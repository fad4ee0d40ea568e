/**
 * ConnectionTokens and websocket URL tokens: signed, self-describing and short-lived, so
 * CreateParticipantConnection writes nothing and every node can check them with the shared key
 * (kept in the store). Each names its participant; it is honoured only while that participant
 * is in a live contact, so ending a chat revokes every token issued for it.
 */
import { createHmac, createSecretKey, timingSafeEqual, type KeyObject } from 'node:crypto';

export type TokenKind = 'connection' | 'websocket';

export interface TokenClaims {
  participantId: string;
  instanceId: string;
  contactId: string;
  expiresAt: number;
  /** Websocket tokens: the transcript position after which the socket's items start. */
  fromSeq?: number;
}

export class ConnectionTokens {
  // A KeyObject: createHmac probes a raw key for being one by catching exceptions (~15 µs).
  readonly #key: KeyObject;

  constructor(key: Buffer) {
    this.#key = createSecretKey(key);
  }

  issue(kind: TokenKind, claims: TokenClaims): string {
    const payload = Buffer.from(
      JSON.stringify([
        claims.participantId,
        claims.instanceId,
        claims.contactId,
        claims.expiresAt,
        claims.fromSeq ?? 0,
      ]),
    ).toString('base64url');
    return `${payload}.${this.#sign(kind, payload)}`;
  }

  /**
   * The claims of a genuine, unexpired token of this kind; undefined for anything else. The
   * signature is compared as text: base64url decoding skips stray characters and ignores
   * trailing bits, so a signature compared after decoding would have many spellings.
   */
  verify(kind: TokenKind, token: string, now: number): TokenClaims | undefined {
    const dot = token.indexOf('.');
    if (dot < 1) return undefined;
    const payload = token.slice(0, dot);
    const given = Buffer.from(token.slice(dot + 1));
    const expected = Buffer.from(this.#sign(kind, payload));
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
    let fields: unknown;
    try {
      fields = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    } catch {
      return undefined;
    }
    if (!Array.isArray(fields) || fields.length !== 5) return undefined;
    const [participantId, instanceId, contactId, expiresAt, fromSeq] = fields as [
      string,
      string,
      string,
      number,
      number,
    ];
    if (typeof expiresAt !== 'number' || expiresAt <= now) return undefined;
    return { participantId, instanceId, contactId, expiresAt, fromSeq };
  }

  // The kind is signed too: a websocket token is never accepted as a ConnectionToken.
  #sign(kind: TokenKind, payload: string): string {
    return createHmac('sha256', this.#key).update(`${kind}.${payload}`).digest('base64url');
  }
}
