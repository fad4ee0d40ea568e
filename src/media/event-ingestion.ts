/**
 * POST /meetings/events: where the Chime SDK reports a meeting's events (the meeting's
 * EventIngestionUrl; shared/spec/webrtc-media.md §1). The SDK sends batches with
 * `Authorization: Bearer <JoinToken>`, and on page unload one last batch by sendBeacon to
 * `?beacon=1` with the token in the body's `authorization`; either way the body is JSON sent as
 * text/plain. Only a live call's attendee is heard (403 otherwise, which the SDK does not
 * retry); the events are taken and dropped. Any page may send them (the customer's app is on
 * an origin of its own): the token, never a cookie, is the credential.
 */
import type { FastifyInstance } from 'fastify';
import type { WebCalls } from '../domain/calls/web-calls.ts';
import { bearerToken } from '../http/bearer.ts';

export const EVENT_INGESTION_PATH = '/meetings/events';

function tokenOf(authorization: string | undefined, body: unknown, beacon: boolean): string | undefined {
  const bearer = bearerToken(authorization);
  if (bearer || !beacon || !Buffer.isBuffer(body)) return bearer;
  try {
    const record = JSON.parse(body.toString('utf8')) as { authorization?: unknown };
    return typeof record?.authorization === 'string' ? record.authorization : undefined;
  } catch {
    return undefined;
  }
}

export function eventIngestion(calls: Pick<WebCalls, 'attendeeOf'>) {
  return async (app: FastifyInstance): Promise<void> => {
    app.options(EVENT_INGESTION_PATH, async (_req, reply) =>
      reply
        .code(204)
        .header('access-control-allow-origin', '*')
        .header('access-control-allow-methods', 'POST, OPTIONS')
        .header('access-control-allow-headers', 'authorization, content-type')
        .header('access-control-max-age', '600')
        .send(),
    );
    app.post(EVENT_INGESTION_PATH, async (req, reply) => {
      reply.header('access-control-allow-origin', '*');
      const beacon = (req.query as Record<string, unknown>).beacon === '1';
      const token = tokenOf(req.headers.authorization, req.body, beacon);
      const attendee = token ? await calls.attendeeOf(token) : undefined;
      if (!attendee) return reply.code(403).send({ message: "Not a live call's attendee" });
      return reply.send({});
    });
  };
}
