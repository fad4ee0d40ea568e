/**
 * ClientToken idempotency, shared by every operation that takes one: a request repeated with
 * its token within seven days gets the first answer and changes nothing.
 */
import { hash } from 'node:crypto';
import type { StoreTx } from '../ports/store.ts';
import { IdempotencyException } from '../generated/connect/errors.ts';

/** How long a ClientToken keeps answering with what it first did. */
export const IDEMPOTENCY_WINDOW_MS = 7 * 24 * 3600 * 1000;

/**
 * Claims the request's ClientToken (if it has one) with the response it will get. Returns the
 * first response when the token was used before for the same request; throws
 * IdempotencyException when it was used for a different one; undefined when this request is new.
 */
export async function claimOnce<R>(
  tx: StoreTx,
  scope: string,
  req: { ClientToken?: string },
  response: R,
  now: number,
): Promise<R | undefined> {
  if (!req.ClientToken) return undefined;
  const digest = requestHash(req);
  const claim = await tx.idempotency.claim(
    scope,
    req.ClientToken,
    digest,
    response,
    now + IDEMPOTENCY_WINDOW_MS,
    now,
  );
  if (claim.claimed) return undefined;
  if (claim.requestHash !== digest) {
    throw new IdempotencyException('The ClientToken was already used with different parameters');
  }
  return claim.response as R;
}

/** What makes two requests "the same" for a ClientToken: everything but the token. */
function requestHash(req: { ClientToken?: string }): string {
  const { ClientToken: _token, ...rest } = req;
  return hash('sha256', stableJson(rest), 'base64url');
}

function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
