/**
 * Opaque NextTokens over store pages. A token names the list it belongs to, so one from
 * ListQueues cannot be replayed against ListUsers.
 */
import { InvalidParameterException } from '../generated/connect/errors.ts';

export function encodeNextToken(list: string, after: number | undefined): string | undefined {
  return after === undefined
    ? undefined
    : Buffer.from(JSON.stringify({ l: list, a: after })).toString('base64url');
}

export function decodeNextToken(list: string, token: string | undefined): number | undefined {
  if (token === undefined) return undefined;
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as {
      l?: unknown;
      a?: unknown;
    };
    if (parsed.l === list && Number.isSafeInteger(parsed.a)) return parsed.a as number;
  } catch {
    // fall through
  }
  throw new InvalidParameterException('The NextToken is not valid for this request');
}
