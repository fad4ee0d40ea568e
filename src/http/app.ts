/**
 * The HTTP server every API shares. It owns what is common to all AWS services on it: raw
 * bodies (SigV4 signs the exact bytes), the body cap, request ids on every response, and the
 * AWS wire form for requests no service took and for failures before a service ran.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { notFoundError, registerService, sendServiceError, type ServiceEdge } from '../aws/service-plugin.ts';
import { ServiceError, protocolErrors } from '../aws/service-error.ts';
import { apiCallLine, lazyChildLogger } from '../log.ts';
import { discardBound, discardRestOfBody } from './refused-body.ts';

export interface AppOptions {
  services: ServiceEdge[];
  /** Set up before the services' routes (hooks such as CORS must exist before routes do). */
  before?: (app: FastifyInstance) => void;
  /** Non-AWS parts (the agent workspace, pages), each encapsulated under its prefix with its own errors. */
  plugins?: { prefix: string; plugin: (app: FastifyInstance) => Promise<void> }[];
  bodyLimit: number;
  logger: FastifyBaseLogger;
  /** Where the line for each API call goes (log.ts). */
  callLog: Pick<Logger, 'info' | 'isLevelEnabled'>;
}

export function buildApp(options: AppOptions): FastifyInstance {
  const app = Fastify({
    loggerInstance: options.logger,
    childLoggerFactory: lazyChildLogger,
    // Fastify's two lines per request are replaced by one, written once the response has ended.
    logController: new LogController({ disableRequestLogging: true, requestIdLogLabel: 'requestId' }),
    bodyLimit: options.bodyLimit,
    genReqId: () => randomUUID(),
    return503OnClosing: true,
    forceCloseConnections: true,
    routerOptions: {
      // Path labels are as long as the model allows (ContactId 256, ARNs…), which the edge
      // validates; the router's default of 100 would answer a bare, non-AWS 414 instead.
      maxParamLength: 16 * 1024,
    },
    // A path the router cannot percent-decode, answered before any hook runs.
    frameworkErrors: (err, req, reply) => {
      reply.header('x-amzn-RequestId', req.id);
      sendServiceError(reply, protocolErrors.serialization(`Malformed request path: ${err.message}`));
    },
  });
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
  app.decorateRequest('instanceId', undefined);
  app.addHook('onRequest', async (req, reply) => {
    reply.header('x-amzn-RequestId', req.id);
  });
  // A body over the cap, whichever part of the node refuses it: Fastify asks for the
  // connection to close, which would reset it under a client still sending; the rest of the
  // body is read instead, and the connection ends past a bound.
  const bound = discardBound(options.bodyLimit);
  app.addHook('onError', async (req, reply, err: Error & { statusCode?: number }) => {
    if (err.statusCode !== 413) return;
    reply.removeHeader('connection');
    discardRestOfBody(req.raw, bound);
  });
  // Not on the request's own child logger, which costs more to build than the line.
  app.addHook('onResponse', (req, reply, done) => {
    if (options.callLog.isLevelEnabled('info')) options.callLog.info(apiCallLine(req, reply), 'api call');
    done();
  });
  options.before?.(app);
  for (const service of options.services) registerService(app, service);
  for (const { prefix, plugin } of options.plugins ?? []) void app.register(plugin, { prefix });
  const models = options.services.map((s) => s.model);
  app.setNotFoundHandler((req, reply) => sendServiceError(reply, notFoundError(models, req.method, req.url)));
  // Failures Fastify detects before a route runs: oversized or truncated bodies, bad headers.
  app.setErrorHandler((err: Error & { statusCode?: number; code?: string }, req, reply) => {
    if (err instanceof ServiceError) return sendServiceError(reply, err);
    if (err.statusCode === 413)
      return sendServiceError(reply, protocolErrors.bodyTooLarge(options.bodyLimit));
    // A body with an empty or unparsable Content-Type: refused by Fastify before the parser's own check.
    if (err.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
      return sendServiceError(
        reply,
        protocolErrors.unsupportedMediaType(String(req.headers['content-type'] ?? '')),
      );
    }
    if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500) {
      return sendServiceError(reply, new ServiceError('BadRequestException', err.statusCode, err.message));
    }
    req.log.error({ err }, 'unhandled error');
    sendServiceError(reply, protocolErrors.internal());
  });
  return app;
}
