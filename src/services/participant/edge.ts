/**
 * How the Participant Service meets HTTP: the bearer token in X-Amz-Bearer is the only
 * credential (SigV4 headers, which the SDKs and chatjs add anyway, are ignored), constraint
 * violations are ValidationException, and browsers may call it from any origin (chatjs runs in
 * customers' pages).
 */
import type { FastifyInstance } from 'fastify';
import type { ServiceEdge } from '../../aws/service-plugin.ts';
import { loadModel } from '../../aws/protocol/model.ts';
import {
  AccessDeniedException,
  InternalServerException,
  ValidationException,
} from '../../generated/connectparticipant/errors.ts';
import type { ParticipantProvider } from './provider.ts';

export function participantEdge(provider: ParticipantProvider, region: string): ServiceEdge {
  return {
    model: loadModel('connectparticipant'),
    provider,
    defaultRegion: region,
    async authenticate(req, ctx) {
      const bearer = req.headers['x-amz-bearer'];
      const token = Array.isArray(bearer) ? bearer[0] : bearer;
      if (!token) throw new AccessDeniedException('Missing X-Amz-Bearer token');
      ctx.bearerToken = token;
    },
    constraintError: (_op, message) => new ValidationException(message),
    internalError: () => new InternalServerException('An internal error occurred'),
  };
}

const EXPOSED = 'x-amzn-RequestId, x-amzn-ErrorType, Date';

/** CORS for /participant/*: preflights answered, responses readable by the calling page. */
export function allowBrowsers(app: FastifyInstance): void {
  app.addHook('onRequest', async (req, reply) => {
    if (!req.url.startsWith('/participant/')) return;
    reply.header('access-control-allow-origin', '*').header('access-control-expose-headers', EXPOSED);
  });
  app.options('/participant/*', async (req, reply) => {
    const requested = req.headers['access-control-request-headers'];
    reply
      .code(204)
      .header('access-control-allow-methods', 'POST, OPTIONS')
      .header(
        'access-control-allow-headers',
        requested ??
          'content-type, x-amz-bearer, x-amz-date, x-amz-content-sha256, x-amz-user-agent, authorization, x-amz-security-token, amz-sdk-invocation-id, amz-sdk-request',
      )
      .header('access-control-max-age', '600')
      .send();
  });
}
