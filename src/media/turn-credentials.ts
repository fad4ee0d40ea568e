/**
 * Time-limited TURN credentials, as TURN servers with a shared secret take them (the TURN REST
 * API; coturn's `use-auth-secret`): the user name is the expiry in Unix seconds and the
 * attendee, the password the base64 HMAC-SHA1 of the user name under the secret.
 */
import { createHmac } from 'node:crypto';

/** How long the credentials a JOIN_ACK carries stay valid. */
export const TURN_CREDENTIAL_TTL_S = 24 * 3600;

export function turnCredentials(
  turn: { uris: string[]; secret: string },
  attendeeId: string,
  nowMs: number,
): { username: string; password: string; ttl: number; uris: string[] } {
  const username = `${Math.floor(nowMs / 1000) + TURN_CREDENTIAL_TTL_S}:${attendeeId}`;
  const password = createHmac('sha1', turn.secret).update(username).digest('base64');
  return { username, password, ttl: TURN_CREDENTIAL_TTL_S, uris: turn.uris };
}
